#include "worker/layer_unpacker.h"

#include "image/layer_extract.h"

namespace strata::worker {

ExtractingUnpacker ExtractingUnpacker::FromFile(std::string path, std::string expected_diff_id) {
  return ExtractingUnpacker(
      [path = std::move(path)]() -> Result<std::unique_ptr<image::ByteSource>> {
        ASSIGN_OR_RETURN(std::unique_ptr<image::FileSource> file, image::FileSource::Open(path));
        return std::unique_ptr<image::ByteSource>(std::move(file));
      },
      std::move(expected_diff_id));
}

Status ExtractingUnpacker::Unpack(const std::string& dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<image::ByteSource> source, open_());
  Result<image::ExtractResult> extracted = image::ExtractLayer(source.get(), dir);
  if (!extracted.ok()) {
    const Status& s = extracted.status();
    return Status(s.code(), "unpacking layer " + expected_diff_id_ + ": " + s.message());
  }
  std::string got = extracted->diff_id.ToString();
  if (got != expected_diff_id_) {
    return Status::Corruption("layer blob for " + expected_diff_id_ + " has diff_id " + got +
                              ": the blob is damaged or stored under the wrong digest; "
                              "fetch it again");
  }
  entries_ = extracted->entries;
  return Status::OK();
}

}  // namespace strata::worker

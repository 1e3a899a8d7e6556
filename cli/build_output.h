#pragma once

// `strata build --output` (and --push) as buildx spells them:
//   type=oci,dest=FILE | type=docker,dest=FILE | FILE   an archive of the image
//   type=image[,name=NAME][,push=true|false]          the image in the store,
//                                                     pushed when push=true
//   type=registry[,name=NAME]                         type=image,push=true
// An image output without name= names the build's -t tags. Keys buildx
// knows that strata does not carry out fail with "… is not supported yet".

#include <string>
#include <vector>

#include "common/result.h"

namespace strata::cli {

struct BuildOutput {
  std::string type;                // "oci", "docker", "image"
  std::string dest;                // archives
  std::vector<std::string> names;  // image: name= (comma-separated in buildx, given as
                                   // name="a,b" or repeated)
  bool push = false;               // image: push the names after the build
};

Result<BuildOutput> ParseBuildOutput(const std::string& text);

}  // namespace strata::cli

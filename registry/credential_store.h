#pragma once

// The file-backed CredentialStore: `strata login` writes strata's own file,
// and lookups fall back to Docker's config.json, so a machine that ran
// `docker login` needs no second login.
//
// strata's file (written mode 0600, atomically: a temporary file renamed
// over it), grammar in docs/registry.md:
//   {"version": 1,
//    "auths": {"127.0.0.1:5000": {"auth": "<base64 of user:password>"},
//              "https://index.docker.io/v1/": {"auth": "…"}}}
// Docker's config.json: its "auths" map, same "auth" field (other fields,
// credsStore and credHelpers are not read).
//
// Keys are matched as Docker does: scheme and path dropped, so
// "https://127.0.0.1:5000/v1/" names 127.0.0.1:5000; Docker Hub (docker.io,
// index.docker.io, registry-1.docker.io) is stored under
// "https://index.docker.io/v1/".
//
// Thread-safe within a process; across processes the last writer wins
// (each write is whole).

#include <memory>
#include <string>

#include "registry/registry_client.h"

namespace strata::registry {

struct CredentialFiles {
  std::string strata_path;         // read and written
  std::string docker_config_path;  // read only; "" for none
};

// strata's file: $STRATA_AUTH_FILE, else STATE_ROOT/auth.json (the CLI's
// --root, so each state root has its own logins). Docker's:
// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
CredentialFiles DefaultCredentialFiles(const std::string& state_root);

std::shared_ptr<CredentialStore> NewFileCredentialStore(CredentialFiles files);

// The registry host a login server names, as Docker's ConvertToHostname:
// scheme and path dropped ("https://127.0.0.1:5000/v1/" is
// "127.0.0.1:5000"), and "docker.io" for every name of Docker Hub.
std::string RegistryHostOf(const std::string& server);

// The key a host is stored under: "https://index.docker.io/v1/" for Docker
// Hub, the host itself otherwise.
std::string CredentialKey(const std::string& host);

}  // namespace strata::registry

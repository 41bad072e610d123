// The auditor feed's unit (draft §15.2): for each log entry, the timestamp, the prefix-tree
// leaves it added and removed, and a batch proof of their search keys in the previous entry's
// prefix tree. Sealpost's log never removes a leaf in stage 1, so `removed` is always empty
// in what the server makes; the encoding takes any.
#pragma once

#include <cstdint>
#include <vector>

#include "keytrans/prefix_store.hpp"
#include "keytrans/prefix_tree.hpp"
#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

struct auditor_update {
  std::uint64_t timestamp = 0;
  std::vector<prefix_leaf> added;    // ascending by vrf_output
  std::vector<prefix_leaf> removed;  // ascending by vrf_output
  prefix_proof proof;  // results: each of `added`, then each of `removed`, in that order
};

// The TLS encoding (vector lengths count elements, §2.1). Throws std::length_error for more
// than 65535 leaves in a list, or a proof encode_prefix_proof refuses.
bytes encode_auditor_update(const auditor_update& update);

// nullopt unless `encoded` is exactly one well-formed AuditorUpdate.
std::optional<auditor_update> decode_auditor_update(std::span<const std::uint8_t> encoded);

// The update for an entry that adds `added`: the leaves sorted, their keys proven in the
// prefix tree of `previous_entry` as `reader` stores it (nullopt: the first entry, proven in
// the empty tree). nullopt when more keys are added than one PrefixProof holds (255: the
// draft's results<0..2^8-1>, so a larger entry has no AuditorUpdate), or a key is repeated or
// already in the tree.
std::optional<auditor_update> make_auditor_update(prefix_node_reader& reader,
                                                  std::optional<std::uint64_t> previous_entry,
                                                  std::uint64_t timestamp,
                                                  std::vector<prefix_leaf> added);

}  // namespace sealpost::keytrans

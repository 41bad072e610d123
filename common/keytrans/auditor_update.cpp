#include "keytrans/auditor_update.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sealpost::keytrans {
namespace {

void write_leaves(tls_writer& writer, const std::vector<prefix_leaf>& leaves) {
  if (leaves.size() > std::numeric_limits<std::uint16_t>::max()) {
    throw std::length_error("encode_auditor_update: too many leaves");
  }
  writer.u16(static_cast<std::uint16_t>(leaves.size()));
  for (const prefix_leaf& leaf : leaves) {
    writer.raw(leaf.vrf_output).raw(leaf.commitment);
  }
}

std::optional<std::vector<prefix_leaf>> read_leaves(tls_reader& reader) {
  const auto count = reader.u16();
  if (!count) {
    return std::nullopt;
  }
  std::vector<prefix_leaf> leaves(*count);
  for (prefix_leaf& leaf : leaves) {
    const auto key = reader.raw(leaf.vrf_output.size());
    const auto commitment = reader.raw(leaf.commitment.size());
    if (!key || !commitment) {
      return std::nullopt;
    }
    std::copy(key->begin(), key->end(), leaf.vrf_output.begin());
    std::copy(commitment->begin(), commitment->end(), leaf.commitment.begin());
  }
  return leaves;
}

}  // namespace

std::optional<auditor_update> decode_auditor_update(std::span<const std::uint8_t> encoded) {
  tls_reader reader(encoded);
  const auto timestamp = reader.u64();
  if (!timestamp) {
    return std::nullopt;
  }
  auto added = read_leaves(reader);
  if (!added) {
    return std::nullopt;
  }
  auto removed = read_leaves(reader);
  if (!removed) {
    return std::nullopt;
  }
  const auto rest = reader.raw(reader.remaining());
  if (!rest) {
    return std::nullopt;
  }
  auto proof = decode_prefix_proof(*rest);
  if (!proof) {
    return std::nullopt;
  }
  return auditor_update{*timestamp, std::move(*added), std::move(*removed), std::move(*proof)};
}

bytes encode_auditor_update(const auditor_update& update) {
  tls_writer writer;
  writer.u64(update.timestamp);
  write_leaves(writer, update.added);
  write_leaves(writer, update.removed);
  writer.raw(encode_prefix_proof(update.proof));
  return writer.take();
}

std::optional<auditor_update> make_auditor_update(prefix_node_reader& reader,
                                                  std::optional<std::uint64_t> previous_entry,
                                                  std::uint64_t timestamp,
                                                  std::vector<prefix_leaf> added) {
  std::sort(added.begin(), added.end(),
            [](const prefix_leaf& a, const prefix_leaf& b) { return a.vrf_output < b.vrf_output; });
  std::vector<prefix_search_key> keys;
  keys.reserve(added.size());
  for (const prefix_leaf& leaf : added) {
    if (!keys.empty() && keys.back() == leaf.vrf_output) {
      return std::nullopt;
    }
    keys.push_back(leaf.vrf_output);
  }
  if (keys.size() > max_prefix_searches) {
    return std::nullopt;
  }
  memory_prefix_store empty;
  auto proof = previous_entry ? prefix_store_prove(reader, *previous_entry, keys)
                              : prefix_store_prove(empty, 0, keys);
  if (!proof) {
    return std::nullopt;
  }
  for (const prefix_search_result& result : proof->results) {
    if (result.type == prefix_result_type::inclusion) {
      return std::nullopt;  // §15.2 step 3: an added key must be new
    }
  }
  return auditor_update{timestamp, std::move(added), {}, std::move(*proof)};
}

}  // namespace sealpost::keytrans

// The reference client's whole check of a KT search, monitor and owner response (DESIGN.md
// "Key transparency, stage 1": "REST" and "Reference client: what it checks, when"), on
// responses already decoded from JSON. Nothing the server says about positions or lookups is
// taken on trust: the ladder positions come from the proof_plan.hpp walks over the response's
// claimed timestamps (then confirmed by the signed head through verify_kt_proof), and each
// ladder's lookups and expected results come from binary_ladder.hpp and the client's own state.
// Every function is pure: the caller saves the returned view and state only on success (§13).
// Bad input never throws; only an OpenSSL internal failure may (std::runtime_error).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "keytrans/kt_proof.hpp"
#include "keytrans/prefix_tree.hpp"
#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

// DESIGN.md Version: a looked-up version's VRF proof and, when the log holds it at the head,
// its commitment (null otherwise, and for a search's own version).
struct kt_version_proof {
  std::uint32_t version = 0;
  bytes vrf_proof;
  std::optional<prefix_hash> commitment;
};

// DESIGN.md Ladder: an encoded §12.2 PrefixProof from entry `position`.
struct kt_ladder {
  std::uint64_t position = 0;
  std::optional<std::uint32_t> greatest;
  bytes proof;
};

// The pinned /v1/kt/config and the clock.
struct kt_check_context {
  std::span<const std::uint8_t> configuration;         // the pinned encoded Configuration
  std::span<const std::uint8_t> signature_public_key;  // 65-byte SEC1
  std::span<const std::uint8_t> vrf_public_key;        // 33-byte SEC1 compressed
  std::uint64_t window_ms = 0;                         // reasonable_monitoring_window_ms
  std::uint64_t max_ahead_ms = 0;
  std::uint64_t max_behind_ms = 0;
  std::uint64_t now_ms = 0;
};

// A contact-map entry (§8.2): `version` proven at entry `position`, with the commitments of
// monitoring_binary_ladder(version), which every later monitoring ladder must show again.
struct kt_map_entry {
  std::uint64_t position = 0;
  std::uint32_t version = 0;
  std::map<std::uint32_t, prefix_hash> commitments;
  friend bool operator==(const kt_map_entry&, const kt_map_entry&) = default;
};

enum class kt_check_error : std::uint8_t {
  proof,              // the KtProof failed (see proof_error), or lacks a timestamp the plan needs
  wrong_label,        // a search answer for another label
  malformed,          // an opening not Nc bytes, a label over 255 bytes, a caller state that lacks
                      // a commitment it must hold, a value that cannot be committed to
  vrf_invalid,        // a version's VRF proof does not verify for (label, version)
  versions_mismatch,  // `versions` not ascending and unique, not exactly the versions the
                      // ladders look up, or a commitment present/null where it cannot be
  commitment_mismatch,   // a commitment differs from the one the client holds or computed
  ladder_mismatch,       // ladder count, position or `greatest` not what the client computed
  prefix_proof_invalid,  // a ladder's PrefixProof does not give its entry's prefix root with
                         // the expected results (a wrong search's own opening/value shows here)
  new_versions_invalid,  // owner: new versions not contiguous, or positions not increasing
  unknown_version,       // owner: the log holds a version of the label new_versions did not give
};

// The error's name as in the enum ("ladder_mismatch"), for logs and tests.
[[nodiscard]] const char* to_string(kt_check_error error) noexcept;

template <typename T>
struct kt_check_result {
  std::optional<T> ok;
  kt_check_error error{};                     // meaningful only without `ok`
  std::optional<kt_proof_error> proof_error;  // with error == proof, when verify_kt_proof failed
};

// ---- Search (GET /v1/kt/accounts/{id}, /v1/kt/usernames/{name}) ----

struct kt_search_response {
  bytes label;
  std::uint32_t version = 0;
  bytes opening;
  bytes value;
  std::vector<kt_version_proof> versions;
  std::vector<kt_ladder> ladders;
  kt_proof proof;
};

struct kt_search_outcome {
  kt_verified_proof verified;  // its `retained` is the view to save
  std::uint32_t version = 0;
  bytes value;                 // the proven value (a KtDeviceList or 16 UUID bytes)
  std::uint64_t terminal = 0;  // the leftmost ladder with greatest == version
  // The terminal entry as a contact-map entry, when it is not distinguished (§8).
  std::optional<kt_map_entry> map_entry;
};

// `label` is the label the client asked for; `retained` its view (tree_size 0: none, and the
// request carried no `last`).
[[nodiscard]] kt_check_result<kt_search_outcome> check_search(const kt_check_context& ctx,
                                                              const kt_retained_view& retained,
                                                              std::span<const std::uint8_t> label,
                                                              const kt_search_response& response);

// ---- Monitor (POST /v1/kt/monitor) ----

struct kt_monitor_response {
  std::vector<kt_version_proof> versions;
  std::vector<kt_ladder> ladders;
  kt_proof proof;
};

struct kt_monitor_outcome {
  kt_verified_proof verified;
  // The map after §8.2: each entry moved to its highest ladder position, dropped once at a
  // distinguished entry; of two at one position the greater version kept. Ascending position.
  std::vector<kt_map_entry> entries;
};

// `entries`: the map entries the request sent, in request order.
[[nodiscard]] kt_check_result<kt_monitor_outcome> check_monitor(
    const kt_check_context& ctx, const kt_retained_view& retained,
    std::span<const std::uint8_t> label, std::span<const kt_map_entry> entries,
    const kt_monitor_response& response);

// ---- Owner (POST /v1/kt/owner) ----

struct kt_owner_version {
  std::uint32_t version = 0;
  std::uint64_t position = 0;
  bytes opening;
  bytes value;
  bytes vrf_proof;
};

struct kt_owner_response {
  std::vector<kt_owner_version> new_versions;
  std::vector<kt_version_proof> versions;
  std::vector<kt_ladder> ladders;
  bool more = false;
  kt_proof proof;
};

// A version the owner holds: where it was created and its commitment.
struct kt_owned_version {
  std::uint64_t position = 0;
  prefix_hash commitment{};
  friend bool operator==(const kt_owned_version&, const kt_owned_version&) = default;
};

// What an owner device keeps for one of its labels. `versions` holds every version from 0 to
// the greatest it knows (the request's greatest_version is its last key; empty: null).
struct kt_owner_state {
  std::uint64_t start = 0;  // the request's `start`
  std::map<std::uint32_t, kt_owned_version> versions;
  // Exactly the request's `entries` (its own contact map; the server takes at most
  // max_monitor_entries, so a longer map sends the rest through /v1/kt/monitor and merges).
  std::vector<kt_map_entry> entries;
  friend bool operator==(const kt_owner_state&, const kt_owner_state&) = default;
};

// A version the response revealed, for the caller's own value checks (this device present
// with its keys, the change one it made...).
struct kt_new_version {
  std::uint32_t version = 0;
  std::uint64_t position = 0;
  bytes value;
  // Whether a ladder of this response showed the version included under the commitment its
  // opening and value make. A version created after the last owner ladder is not looked up
  // yet: its value is proven by the next owner ladder or monitoring ladder that looks it up
  // (or by the owner's own search after its own change, [D3]), which fails if it differs.
  bool included = false;
};

struct kt_owner_outcome {
  kt_verified_proof verified;
  // start = the last owner ladder's position (unchanged without one); the new versions added;
  // the map entries monitored as check_monitor does, plus each new version created after the
  // old start at a non-distinguished entry (§9 step 4).
  kt_owner_state state;
  std::vector<kt_new_version> new_versions;
  bool more = false;  // ask again with the new state
};

// `max_owner_ladders`: the most owner ladders a response may carry (/v1/kt/config does not
// publish the server's kt.max_owner_ladders, so the client cannot demand the exact cut). When
// `more`, the response must carry between 1 and that many, exactly the first ones after
// `start` (a `more` that is not needed only costs one more request); otherwise one per
// distinguished entry after `start`, and a proof listing what the whole §6.1 walk needs.
[[nodiscard]] kt_check_result<kt_owner_outcome> check_owner(const kt_check_context& ctx,
                                                            const kt_retained_view& retained,
                                                            std::span<const std::uint8_t> label,
                                                            const kt_owner_state& state,
                                                            const kt_owner_response& response,
                                                            std::size_t max_owner_ladders);

}  // namespace sealpost::keytrans

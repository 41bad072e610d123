// The client's checks of search, monitor and owner responses (response_check.hpp) against an
// in-memory log that answers the way server/transparency/log_view.cpp does
// (kt_fake_server.hpp): every honest answer verifies at every tree size, for fresh and
// retaining clients, and each way of lying fails with its own error.
#include "keytrans/response_check.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "keytrans/binary_ladder.hpp"
#include "keytrans/distinguished.hpp"
#include "keytrans/ibst.hpp"
#include "keytrans/labels.hpp"
#include "kt_fake_server.hpp"
#include "kt_test_log.hpp"

namespace sealpost::keytrans {
namespace {

using test::fake_log;
using test::fake_version;

constexpr std::uint64_t first_timestamp = 1'700'000'000'000;
// A max_owner_ladders above every test log's count of distinguished entries: one whole response.
constexpr std::size_t all_ladders = 1000;

bytes identity_key_of(std::uint32_t device_id) {
  bytes key(33, static_cast<std::uint8_t>(device_id));
  key[0] = 0x05;
  return key;
}

bytes device_list(std::uint32_t count) {
  std::vector<kt_device> devices;
  for (std::uint32_t id = 1; id <= count; ++id) {
    devices.push_back({id, 1000 + id, identity_key_of(id)});
  }
  return encode_device_list(devices).value();
}

// A log of `size` entries with timestamp gaps below and above the window: alice's account
// label gains a device now and then from entry 2, bob's username label changes from entry 3.
struct scenario {
  bytes alice = account_label(account_uuid{0xa1, 0xa2, 0xa3});
  bytes bob = username_label("bob").value();
  fake_log log;

  scenario(std::uint64_t seed, std::size_t size) : log(seed) {
    std::mt19937_64 rng(seed);
    const auto timestamps =
        test::random_timestamps(size, first_timestamp, test::fake_window_ms, rng);
    std::uint32_t alice_devices = 0;
    std::uint8_t bob_account = 0;
    for (std::size_t i = 0; i < size; ++i) {
      std::vector<std::pair<bytes, bytes>> changes;
      if (i == 2 || (i > 2 && rng() % 8 == 0)) {
        changes.emplace_back(alice, device_list(++alice_devices));
      }
      if (i == 3 || (i > 3 && rng() % 13 == 0)) {
        changes.emplace_back(bob, bytes(16, ++bob_account));
      }
      log.append(timestamps[i], changes);
    }
  }
};

std::optional<std::uint64_t> last_of(const kt_retained_view& view) {
  return view.tree_size == 0 ? std::nullopt : std::optional{view.tree_size};
}

template <typename T>
void require_ok(const kt_check_result<T>& result) {
  INFO("error " << static_cast<int>(result.error) << " proof error "
                << (result.proof_error ? static_cast<int>(*result.proof_error) : -1));
  REQUIRE(result.ok);
}

template <typename T>
void require_error(const kt_check_result<T>& result, kt_check_error error) {
  REQUIRE_FALSE(result.ok);
  CHECK(static_cast<int>(result.error) == static_cast<int>(error));
}

bool distinguished_in(const fake_log& log, std::uint64_t position, std::uint64_t tree_size) {
  return is_distinguished(position, tree_size, test::fake_window_ms, log.timestamps(tree_size))
      .value();
}

// The position must stay acceptable to the server's monitor route: the creating entry or one
// of its ancestors in the tree of `tree_size`.
bool on_creation_path(const fake_log& log, const bytes& label, const kt_map_entry& entry,
                      std::uint64_t tree_size) {
  const auto versions = log.versions_of(label, tree_size);
  const std::uint64_t created = versions.at(entry.version).position;
  if (created == entry.position) {
    return true;
  }
  const auto path = ibst_direct_path(created, tree_size);
  return path && std::find(path->begin(), path->end(), entry.position) != path->end();
}

// A client merges a search's map entry into its map as monitoring does (§8.2).
std::vector<kt_map_entry> with_entry(std::vector<kt_map_entry> entries, const kt_map_entry& add) {
  const auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const kt_map_entry& e) { return e.position == add.position; });
  if (it == entries.end()) {
    entries.push_back(add);
  } else if (it->version < add.version) {
    *it = add;
  }
  std::sort(entries.begin(), entries.end(),
            [](const kt_map_entry& a, const kt_map_entry& b) { return a.position < b.position; });
  return entries;
}

TEST_CASE("check_search accepts every honest search, fresh and retaining",
          "[keytrans][response_check]") {
  for (const std::uint64_t seed : {1u, 2u}) {
    scenario s(seed, 140);
    for (const bytes& label : {s.alice, s.bob}) {
      kt_retained_view retained;
      int with_map_entry = 0;
      int without_map_entry = 0;
      for (std::uint64_t n = 1; n <= s.log.size(); ++n) {
        const auto fresh = s.log.search(label, n, std::nullopt);
        if (!fresh) {
          CHECK(s.log.versions_of(label, n).empty());
          continue;
        }
        const auto checked = check_search(s.log.context(n), {}, label, *fresh);
        require_ok(checked);
        const auto& outcome = *checked.ok;
        const auto published = s.log.versions_of(label, n);
        CHECK(outcome.version == published.back().version);
        CHECK(outcome.value == published.back().value);
        CHECK(outcome.verified.retained.tree_size == n);
        CHECK(outcome.map_entry.has_value() == !distinguished_in(s.log, outcome.terminal, n));
        if (outcome.map_entry) {
          ++with_map_entry;
          CHECK(outcome.map_entry->position == outcome.terminal);
          CHECK(on_creation_path(s.log, label, *outcome.map_entry, n));
          CHECK(outcome.map_entry->commitments.size() ==
                monitoring_binary_ladder(outcome.version).size());
        } else {
          ++without_map_entry;
        }

        const auto kept = s.log.search(label, n, last_of(retained));
        const auto rechecked = check_search(s.log.context(n), retained, label, *kept);
        require_ok(rechecked);
        retained = rechecked.ok->verified.retained;
      }
      CHECK(with_map_entry > 0);
      CHECK(without_map_entry > 0);
    }
  }
}

TEST_CASE("check_monitor accepts every honest monitor as the map moves up",
          "[keytrans][response_check]") {
  scenario s(3, 160);
  int dropped = 0;
  int kept = 0;
  int ladders = 0;
  for (const bytes& label : {s.alice, s.bob}) {
    for (std::uint64_t n0 = 4; n0 < s.log.size(); n0 += 5) {
      const auto searched =
          check_search(s.log.context(n0), {}, label, *s.log.search(label, n0, std::nullopt));
      require_ok(searched);
      if (!searched.ok->map_entry) {
        continue;
      }
      kt_retained_view retained = searched.ok->verified.retained;
      std::vector<kt_map_entry> entries{*searched.ok->map_entry};
      for (std::uint64_t n = n0 + 1; n <= s.log.size() && !entries.empty(); n += 2) {
        const auto response = s.log.monitor(label, entries, n, last_of(retained));
        ladders += static_cast<int>(response.ladders.size());
        const auto checked = check_monitor(s.log.context(n), retained, label, entries, response);
        require_ok(checked);
        retained = checked.ok->verified.retained;
        entries = checked.ok->entries;
        for (const kt_map_entry& e : entries) {
          CHECK(!distinguished_in(s.log, e.position, n));
          CHECK(on_creation_path(s.log, label, e, n));
        }
        // Now and then the contact searches again and adds the new terminal entry.
        if (n % 7 == 0) {
          const auto again = check_search(s.log.context(n), retained, label,
                                          *s.log.search(label, n, last_of(retained)));
          require_ok(again);
          retained = again.ok->verified.retained;
          if (again.ok->map_entry) {
            entries = with_entry(entries, *again.ok->map_entry);
          }
        }
      }
      (entries.empty() ? dropped : kept) += 1;
    }
  }
  CHECK(dropped > 0);
  CHECK(ladders > 0);
  INFO("kept " << kept);
}

// An owner device from its kt_position on, asking at every size (and again while `more`).
void run_owner(fake_log& log, const bytes& label, std::uint32_t from_version,
               std::size_t max_owner_ladders, int& owner_ladders) {
  kt_owner_state state;
  state.start = log.versions_of(label, log.size()).at(from_version).position;
  kt_retained_view retained;
  for (std::uint64_t n = state.start + 1; n <= log.size(); ++n) {
    bool more = true;
    while (more) {
      std::optional<std::uint32_t> greatest;
      if (!state.versions.empty()) {
        greatest = state.versions.rbegin()->first;
      }
      const auto response = log.owner(label, state.start, greatest, state.entries, n,
                                      last_of(retained), max_owner_ladders);
      const auto checked =
          check_owner(log.context(n), retained, label, state, response, max_owner_ladders);
      require_ok(checked);
      owner_ladders += static_cast<int>(response.ladders.size());
      CHECK(checked.ok->new_versions.size() == response.new_versions.size());
      retained = checked.ok->verified.retained;
      state = checked.ok->state;
      more = checked.ok->more;
      for (const kt_map_entry& e : state.entries) {
        CHECK(on_creation_path(log, label, e, n));
      }
    }
    const auto published = log.versions_of(label, n);
    REQUIRE(state.versions.size() == published.size());
    for (const auto& v : published) {
      CHECK(state.versions.at(v.version).position == v.position);
      CHECK(state.versions.at(v.version).commitment == v.commitment);
    }
  }
}

TEST_CASE("check_owner accepts every honest owner response, cut or whole",
          "[keytrans][response_check]") {
  scenario s(4, 130);
  int owner_ladders = 0;
  for (const std::size_t max_owner_ladders : {std::size_t{1}, std::size_t{3}, std::size_t{32}}) {
    run_owner(s.log, s.alice, 0, max_owner_ladders, owner_ladders);
    run_owner(s.log, s.alice, 2, max_owner_ladders, owner_ladders);
    run_owner(s.log, s.bob, 0, max_owner_ladders, owner_ladders);
  }
  CHECK(owner_ladders > 0);
}

// ---- Lies ----

// A size whose alice search has at least two ladders, the first not at entry 0, and a version
// of at least 2.
std::uint64_t size_for_search_lies(fake_log& log, const bytes& label) {
  for (std::uint64_t n = log.size(); n > 0; --n) {
    const auto r = log.search(label, n, std::nullopt);
    if (r && r->ladders.size() >= 2 && r->ladders.front().position > 0 && r->version >= 2) {
      return n;
    }
  }
  FAIL("no suitable size");
  return 0;
}

TEST_CASE("check_search refuses each lie with its own error", "[keytrans][response_check]") {
  scenario s(5, 120);
  const std::uint64_t n = size_for_search_lies(s.log, s.alice);
  const kt_check_context ctx = s.log.context(n);
  const kt_search_response honest = *s.log.search(s.alice, n, std::nullopt);
  require_ok(check_search(ctx, {}, s.alice, honest));
  auto lie = [&](auto&& change) {
    kt_search_response r = honest;
    change(r);
    return check_search(ctx, {}, s.alice, r);
  };

  SECTION("another label") {
    require_error(check_search(ctx, {}, s.bob, honest), kt_check_error::wrong_label);
    require_error(lie([](auto& r) { r.label.back() ^= 1; }), kt_check_error::wrong_label);
    require_error(check_search(ctx, {}, bytes(256, 1), honest), kt_check_error::malformed);
  }
  SECTION("VRF proofs") {
    require_error(lie([](auto& r) { r.versions[1].vrf_proof[60] ^= 1; }),
                  kt_check_error::vrf_invalid);
    require_error(lie([](auto& r) { std::swap(r.versions[0].vrf_proof, r.versions[1].vrf_proof); }),
                  kt_check_error::vrf_invalid);
    require_error(lie([](auto& r) { r.versions[0].vrf_proof.pop_back(); }),
                  kt_check_error::vrf_invalid);
  }
  SECTION("opening and value") {
    require_error(lie([](auto& r) { r.opening[0] ^= 1; }), kt_check_error::prefix_proof_invalid);
    require_error(lie([](auto& r) { r.opening.pop_back(); }), kt_check_error::malformed);
    // A device added to the value without a new version: the commitment no longer matches the
    // leaf, which shows as a PrefixProof for another root.
    require_error(lie([&](auto& r) { r.value = device_list(r.version + 2); }),
                  kt_check_error::prefix_proof_invalid);
    // A claim of a newer version than the head holds.
    require_error(lie([](auto& r) { ++r.version; }), kt_check_error::ladder_mismatch);
  }
  SECTION("ladders missing, extra or misplaced") {
    require_error(lie([](auto& r) { r.ladders.pop_back(); }), kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { r.ladders.erase(r.ladders.begin()); }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { r.ladders.push_back(r.ladders.back()); }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { --r.ladders.front().position; }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { std::swap(r.ladders[0], r.ladders[1]); }),
                  kt_check_error::ladder_mismatch);
  }
  SECTION("greatest too high or too low") {
    require_error(lie([](auto& r) { r.ladders.back().greatest = r.version + 1; }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { r.ladders.back().greatest = r.version - 1; }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { r.ladders.back().greatest.reset(); }),
                  kt_check_error::ladder_mismatch);
    // Lower on an earlier ladder: its lookups change, and with them `versions` or the proof.
    const auto lowered = lie([](auto& r) {
      auto& g = r.ladders.front().greatest;
      g = g && *g > 0 ? std::optional{*g - 1} : std::optional<std::uint32_t>{0};
    });
    REQUIRE_FALSE(lowered.ok);
  }
  SECTION("a PrefixProof for another root") {
    const kt_ladder& first = honest.ladders.front();
    const auto lookups = full_search_binary_ladder(first.greatest);
    const bytes elsewhere = s.log.prove(s.alice, lookups, first.position - 1);
    require_error(lie([&](auto& r) { r.ladders.front().proof = elsewhere; }),
                  kt_check_error::prefix_proof_invalid);
    require_error(lie([](auto& r) { r.ladders.back().proof.pop_back(); }),
                  kt_check_error::prefix_proof_invalid);
    require_error(lie([](auto& r) { std::swap(r.ladders[0].proof, r.ladders[1].proof); }),
                  kt_check_error::prefix_proof_invalid);
  }
  SECTION("versions") {
    require_error(lie([](auto& r) { r.versions.pop_back(); }), kt_check_error::versions_mismatch);
    require_error(lie([](auto& r) { std::reverse(r.versions.begin(), r.versions.end()); }),
                  kt_check_error::versions_mismatch);
    require_error(lie([](auto& r) { r.versions.push_back(r.versions.back()); }),
                  kt_check_error::versions_mismatch);
    require_error(lie([](auto& r) { r.versions.front().commitment.reset(); }),
                  kt_check_error::versions_mismatch);
    require_error(lie([](auto& r) { r.versions.back().commitment = prefix_hash{}; }),
                  kt_check_error::versions_mismatch);
    // The searched version's own commitment: null is expected, another one refused.
    require_error(lie([](auto& r) {
                    for (auto& v : r.versions) {
                      if (v.version == r.version) {
                        v.commitment = prefix_hash{};
                      }
                    }
                  }),
                  kt_check_error::commitment_mismatch);
    // Swapped commitments: a searcher holds none, so the proofs show it.
    require_error(
        lie([](auto& r) { std::swap(r.versions[0].commitment, r.versions[1].commitment); }),
        kt_check_error::prefix_proof_invalid);
  }
  SECTION("the KtProof") {
    const auto forged = lie([](auto& r) { r.proof.head.signature[10] ^= 1; });
    require_error(forged, kt_check_error::proof);
    CHECK(forged.proof_error == kt_proof_error::bad_signature);
    // A ladder entry's timestamp moved far back makes it distinguished: the plan changes, the
    // signature refutes the claim.
    const auto moved = lie([](auto& r) { r.proof.entries.front().timestamp = 0; });
    require_error(moved, kt_check_error::proof);
    const auto missing = lie([](auto& r) { r.proof.entries.pop_back(); });
    require_error(missing, kt_check_error::proof);
    CHECK(missing.proof_error == kt_proof_error::missing_entries);
    // A head older than max_behind.
    kt_check_context late = ctx;
    late.now_ms += test::fake_max_behind_ms + 2000;
    const auto stale = check_search(late, {}, s.alice, honest);
    require_error(stale, kt_check_error::proof);
    CHECK(stale.proof_error == kt_proof_error::head_too_old);
  }
}

// A contact whose map entry gets at least one monitoring ladder of a version >= 1.
struct monitor_case {
  std::uint64_t n = 0;
  kt_retained_view retained;
  std::vector<kt_map_entry> entries;
};

monitor_case find_monitor_case(fake_log& log, const bytes& label) {
  for (std::uint64_t n0 = log.size() / 2; n0 < log.size(); ++n0) {
    const auto searched =
        check_search(log.context(n0), {}, label, *log.search(label, n0, std::nullopt));
    if (!searched.ok || !searched.ok->map_entry || searched.ok->version == 0) {
      continue;
    }
    std::vector<kt_map_entry> entries{*searched.ok->map_entry};
    for (std::uint64_t n = n0 + 1; n <= log.size(); ++n) {
      if (!log.monitor(label, entries, n, n0).ladders.empty()) {
        return {n, searched.ok->verified.retained, entries};
      }
    }
  }
  FAIL("no suitable monitor case");
  return {};
}

TEST_CASE("check_monitor refuses each lie with its own error", "[keytrans][response_check]") {
  scenario s(6, 120);
  const monitor_case c = find_monitor_case(s.log, s.alice);
  const kt_check_context ctx = s.log.context(c.n);
  const kt_monitor_response honest = s.log.monitor(s.alice, c.entries, c.n, c.retained.tree_size);
  require_ok(check_monitor(ctx, c.retained, s.alice, c.entries, honest));
  auto lie = [&](auto&& change) {
    kt_monitor_response r = honest;
    change(r);
    return check_monitor(ctx, c.retained, s.alice, c.entries, r);
  };

  require_error(lie([](auto& r) { r.versions[0].vrf_proof[50] ^= 1; }),
                kt_check_error::vrf_invalid);
  require_error(lie([](auto& r) { std::swap(r.versions[0].commitment, r.versions[1].commitment); }),
                kt_check_error::commitment_mismatch);
  require_error(lie([](auto& r) { r.versions[0].commitment.reset(); }),
                kt_check_error::commitment_mismatch);
  require_error(lie([](auto& r) { r.versions.pop_back(); }), kt_check_error::versions_mismatch);
  require_error(lie([](auto& r) {
                  r.versions.push_back(r.versions.back());
                  ++r.versions.back().version;
                }),
                kt_check_error::versions_mismatch);
  require_error(lie([](auto& r) { r.ladders.pop_back(); }), kt_check_error::ladder_mismatch);
  require_error(lie([](auto& r) { r.ladders.push_back(r.ladders.back()); }),
                kt_check_error::ladder_mismatch);
  require_error(lie([](auto& r) { ++r.ladders.back().position; }), kt_check_error::ladder_mismatch);
  require_error(lie([](auto& r) { r.ladders.back().greatest = *r.ladders.back().greatest + 1; }),
                kt_check_error::ladder_mismatch);
  const kt_ladder& first = honest.ladders.front();
  const bytes elsewhere =
      s.log.prove(s.alice, monitoring_binary_ladder(*first.greatest), c.entries.front().position);
  require_error(lie([&](auto& r) { r.ladders.front().proof = elsewhere; }),
                kt_check_error::prefix_proof_invalid);
  const auto forged = lie([](auto& r) { r.proof.head.signature[3] ^= 1; });
  require_error(forged, kt_check_error::proof);

  // An answer about another label: its VRF proofs are for other inputs.
  require_error(check_monitor(ctx, c.retained, s.bob, c.entries, honest),
                kt_check_error::vrf_invalid);

  // The contact was shown another commitment for a version (the log equivocated).
  std::vector<kt_map_entry> equivocated = c.entries;
  equivocated.front().commitments.begin()->second[0] ^= 1;
  require_error(check_monitor(ctx, c.retained, s.alice, equivocated, honest),
                kt_check_error::commitment_mismatch);
  // A map entry the client cannot hold (a commitment missing) or beyond the head.
  std::vector<kt_map_entry> incomplete = c.entries;
  incomplete.front().commitments.erase(incomplete.front().commitments.begin());
  require_error(check_monitor(ctx, c.retained, s.alice, incomplete, honest),
                kt_check_error::malformed);
  std::vector<kt_map_entry> beyond = c.entries;
  beyond.front().position = c.n;
  require_error(check_monitor(ctx, c.retained, s.alice, beyond, honest), kt_check_error::proof);
}

TEST_CASE("check_owner refuses each lie with its own error", "[keytrans][response_check]") {
  scenario s(7, 150);
  const std::uint64_t n = s.log.size();
  const auto published = s.log.versions_of(s.alice, n);
  const std::uint64_t start = published.front().position;
  const kt_check_context ctx = s.log.context(n);
  const kt_owner_state fresh{start, {}, {}};
  const kt_owner_response honest =
      s.log.owner(s.alice, start, std::nullopt, {}, n, std::nullopt, all_ladders);
  REQUIRE_FALSE(honest.more);
  REQUIRE(honest.ladders.size() >= 2);
  const auto baseline = check_owner(ctx, {}, s.alice, fresh, honest, all_ladders);
  require_ok(baseline);
  auto lie = [&](auto&& change) {
    kt_owner_response r = honest;
    change(r);
    return check_owner(ctx, {}, s.alice, fresh, r, all_ladders);
  };

  SECTION("new versions") {
    // A device added to a value without a new version.
    require_error(lie([](auto& r) { r.new_versions[0].value = device_list(5); }),
                  kt_check_error::commitment_mismatch);
    require_error(lie([](auto& r) { r.new_versions.erase(r.new_versions.begin()); }),
                  kt_check_error::new_versions_invalid);
    require_error(lie([](auto& r) { r.new_versions[1].position = r.new_versions[0].position; }),
                  kt_check_error::new_versions_invalid);
    require_error(lie([](auto& r) { r.new_versions[1].vrf_proof[70] ^= 1; }),
                  kt_check_error::vrf_invalid);
    require_error(lie([](auto& r) { r.new_versions[1].opening.clear(); }),
                  kt_check_error::malformed);
  }
  SECTION("a false value no ladder looks up yet is refuted by the next check") {
    bool tested = false;
    for (std::uint64_t m = start + 2; m < n && !tested; ++m) {
      const fake_version newest = s.log.versions_of(s.alice, m).back();
      kt_owner_response r =
          s.log.owner(s.alice, start, std::nullopt, {}, m, std::nullopt, all_ladders);
      if (newest.position <= start ||
          std::any_of(r.versions.begin(), r.versions.end(),
                      [&](const auto& v) { return v.version == newest.version; })) {
        continue;
      }
      r.new_versions.back().value = device_list(9);
      const auto now = check_owner(s.log.context(m), {}, s.alice, fresh, r, all_ladders);
      require_ok(now);
      CHECK_FALSE(now.ok->new_versions.back().included);
      const kt_owner_state& state = now.ok->state;
      const auto later =
          s.log.owner(s.alice, state.start, newest.version, state.entries, n, m, all_ladders);
      require_error(check_owner(ctx, now.ok->verified.retained, s.alice, state, later, all_ladders),
                    kt_check_error::commitment_mismatch);
      tested = true;
    }
    CHECK(tested);
  }
  SECTION("a version hidden from the owner") {
    // A server that leaves the newest version(s) out of new_versions: versions still carries
    // the commitment of one a ladder looks up.
    bool tested = false;
    for (std::uint32_t hide = published.back().version; hide >= 1 && !tested; --hide) {
      const auto r =
          s.log.owner(s.alice, start, std::nullopt, {}, n, std::nullopt, all_ladders, hide);
      const bool looked_up = std::any_of(r.versions.begin(), r.versions.end(),
                                         [&](const auto& v) { return v.version == hide; });
      if (looked_up) {
        require_error(check_owner(ctx, {}, s.alice, fresh, r, all_ladders),
                      kt_check_error::unknown_version);
        tested = true;
      }
    }
    CHECK(tested);
    // A server that hides it everywhere it can: the prefix trees still hold it, so a ladder
    // at or after its creation refutes the claim that it is absent.
    const auto distinguished =
        distinguished_entries_after(start, n, test::fake_window_ms, s.log.timestamps(n)).value();
    tested = false;
    for (std::uint32_t hide = published.back().version; hide >= 1 && !tested; --hide) {
      if (distinguished.back() >= published[hide].position) {
        const auto r = s.log.owner_hiding_consistently(s.alice, start, n, hide, all_ladders);
        require_error(check_owner(ctx, {}, s.alice, fresh, r, all_ladders),
                      kt_check_error::prefix_proof_invalid);
        tested = true;
      }
    }
    CHECK(tested);
  }
  SECTION("ladders") {
    require_error(lie([](auto& r) { r.ladders.pop_back(); }), kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { r.ladders.erase(r.ladders.begin()); }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { ++r.ladders.back().position; }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) {
                    auto& g = r.ladders.back().greatest;
                    g = g ? std::optional{*g + 1} : std::optional<std::uint32_t>{0};
                  }),
                  kt_check_error::ladder_mismatch);
    require_error(lie([](auto& r) { std::swap(r.ladders[0].proof, r.ladders[1].proof); }),
                  kt_check_error::prefix_proof_invalid);
    // More ladders than the client allows.
    require_error(check_owner(ctx, {}, s.alice, fresh, honest, honest.ladders.size() - 1),
                  kt_check_error::ladder_mismatch);
  }
  SECTION("a cut response") {
    const auto cut = s.log.owner(s.alice, start, std::nullopt, {}, n, std::nullopt, 1);
    REQUIRE(cut.more);
    require_ok(check_owner(ctx, {}, s.alice, fresh, cut, 1));
    kt_owner_response r = cut;
    // Claiming there is nothing after the one ladder: the whole §6.1 walk needs timestamps
    // the cut proof does not list.
    r.more = false;
    const auto uncut = check_owner(ctx, {}, s.alice, fresh, r, 1);
    require_error(uncut, kt_check_error::proof);
    CHECK(uncut.proof_error == kt_proof_error::missing_entries);
    // Claiming more with all ladders there: one ladder too many for the cut the client computes.
    r = honest;
    r.more = true;
    require_error(check_owner(ctx, {}, s.alice, fresh, r, 1), kt_check_error::ladder_mismatch);
    r = cut;
    r.ladders.clear();  // `more` with nothing: the owner would never advance
    require_error(check_owner(ctx, {}, s.alice, fresh, r, 1), kt_check_error::ladder_mismatch);
  }
  SECTION("a returning owner holding other commitments") {
    kt_owner_state state = baseline.ok->state;
    REQUIRE(state.start > start);
    // The owner is up to date: nothing new, and the log shows the commitments it holds.
    const auto again = s.log.owner(s.alice, state.start, published.back().version, state.entries, n,
                                   baseline.ok->verified.retained.tree_size, all_ladders);
    require_ok(
        check_owner(ctx, baseline.ok->verified.retained, s.alice, state, again, all_ladders));
    // A state the caller broke: a gap in its versions.
    kt_owner_state gap = state;
    gap.versions.erase(gap.versions.begin());
    require_error(
        check_owner(ctx, baseline.ok->verified.retained, s.alice, gap, again, all_ladders),
        kt_check_error::malformed);
  }
  SECTION("state with an old start, shown another commitment for version 0") {
    kt_owner_state state{start, {}, {}};
    state.versions[0] = {published[0].position, published[0].commitment};
    state.versions[0].commitment[5] ^= 1;
    const auto r = s.log.owner(s.alice, start, 0, {}, n, std::nullopt, all_ladders);
    require_error(check_owner(ctx, {}, s.alice, state, r, all_ladders),
                  kt_check_error::commitment_mismatch);
  }
}

TEST_CASE("a flipped bit anywhere in a proof or VRF proof fails the check, never throws",
          "[keytrans][response_check]") {
  scenario s(8, 100);
  const std::uint64_t n = size_for_search_lies(s.log, s.alice);
  const kt_check_context ctx = s.log.context(n);
  const kt_search_response search = *s.log.search(s.alice, n, std::nullopt);
  const std::uint64_t start = s.log.versions_of(s.alice, n).front().position;
  const kt_owner_response owner =
      s.log.owner(s.alice, start, std::nullopt, {}, n, std::nullopt, all_ladders);
  const kt_owner_state fresh{start, {}, {}};
  // Only new versions a ladder looks up can be refuted now (see kt_new_version::included).
  const auto checked = check_owner(ctx, {}, s.alice, fresh, owner, all_ladders);
  require_ok(checked);
  std::vector<std::size_t> included;
  for (std::size_t i = 0; i < checked.ok->new_versions.size(); ++i) {
    if (checked.ok->new_versions[i].included) {
      included.push_back(i);
    }
  }
  REQUIRE_FALSE(included.empty());
  std::mt19937_64 rng(8);
  auto flip = [&rng](bytes& data) {
    REQUIRE_FALSE(data.empty());
    data[rng() % data.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
  };
  for (int i = 0; i < 150; ++i) {
    kt_search_response r = search;
    if (i % 2 == 0) {
      flip(r.ladders[rng() % r.ladders.size()].proof);
    } else {
      flip(r.versions[rng() % r.versions.size()].vrf_proof);
    }
    CHECK_FALSE(check_search(ctx, {}, s.alice, r).ok);
    kt_owner_response o = owner;
    switch (i % 3) {
      case 0:
        flip(o.ladders[rng() % o.ladders.size()].proof);
        break;
      case 1:
        flip(o.new_versions[included[rng() % included.size()]].opening);
        break;
      default:
        flip(o.new_versions[included[rng() % included.size()]].value);
        break;
    }
    CHECK_FALSE(check_owner(ctx, {}, s.alice, fresh, o, all_ladders).ok);
  }
}

}  // namespace
}  // namespace sealpost::keytrans

// One device's working parts, wired together behind the messenger facade: the state store,
// the API client, and the jobs over them (contacts, sessions, sealed sender, outbox, inbox).
#pragma once

#include <utility>

#include "core/contacts.hpp"
#include "core/inbox.hpp"
#include "core/key_transparency.hpp"
#include "core/outbox.hpp"
#include "core/sealed_sender.hpp"
#include "core/sessions.hpp"
#include "core/state_store.hpp"
#include "net/api_client.hpp"
#include "net/server_address.hpp"

namespace sealpost::client {

// Not movable: the parts hold references to each other, so it lives on the heap.
struct messenger_core {
  // The API client goes to the state's server, logged in once the account is known.
  explicit messenger_core(state_store s)
      : store(std::move(s)),
        api(net::parse_server_url(store.state().server_url), store.connection_options()) {
    if (!store.state().account_id.empty()) {
      api.set_login(store.login());
    }
  }
  messenger_core(const messenger_core&) = delete;
  messenger_core& operator=(const messenger_core&) = delete;

  state_store store;
  net::api_client api;
  key_directory kt{store.state(), api};
  contact_book contacts{store.state(), api, kt};
  session_store sessions{store.state(), api, contacts, kt};
  sealed_sender sealed{store.state(), api};
  outbox out{store, api, contacts, sessions, sealed};
  inbox in{store, api, contacts, sessions, sealed};
};

}  // namespace sealpost::client

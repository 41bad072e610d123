// The base of the jobs that send and receive (outbox, inbox, and later ones such as groups):
// references to the state store, the API client, the contacts, the sessions and the
// sealed-sender credentials they share.
#pragma once

#include "core/contacts.hpp"
#include "core/local_state.hpp"
#include "core/sealed_sender.hpp"
#include "core/sessions.hpp"
#include "core/state_store.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

class messaging_job {
 public:
  messaging_job(state_store& store, net::api_client& api, contact_book& contacts,
                session_store& sessions, sealed_sender& sealed) noexcept
      : store_(store),
        state_(store.state()),
        api_(api),
        contacts_(contacts),
        sessions_(sessions),
        sealed_(sealed) {}

 protected:
  state_store& store_;
  local_state& state_;
  net::api_client& api_;
  contact_book& contacts_;
  session_store& sessions_;
  sealed_sender& sealed_;
};

}  // namespace sealpost::client

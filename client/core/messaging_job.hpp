// The base of the jobs that send and receive (outbox, inbox, and later ones such as groups):
// references to the state store, the API client, the contacts and the sessions they share.
#pragma once

#include "core/contacts.hpp"
#include "core/local_state.hpp"
#include "core/sessions.hpp"
#include "core/state_store.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

class messaging_job {
 public:
  messaging_job(state_store& store, net::api_client& api, contact_book& contacts,
                session_store& sessions) noexcept
      : store_(store), state_(store.state()), api_(api), contacts_(contacts), sessions_(sessions) {}

 protected:
  state_store& store_;
  local_state& state_;
  net::api_client& api_;
  contact_book& contacts_;
  session_store& sessions_;
};

}  // namespace sealpost::client

// The CLI's output for people; text from others goes through printable().
#include "cli/printing.hpp"

#include <iostream>

#include "cli/terminal.hpp"

namespace sealpost::cli {

std::string who(const std::string& username, const std::string& account_id) {
  return username.empty() ? account_id : username;
}

std::string grouped(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 5) {
    if (!out.empty()) {
      out.push_back(' ');
    }
    out += digits.substr(i, 5);
  }
  return out;
}

void print_message(const client::received_message& m) {
  const std::string peer = printable(who(m.peer_username, m.peer_account));
  std::cout << "[" << clock_time(m.timestamp_ms) << "] ";
  if (m.sealed) {
    std::cout << "[sealed] ";
  }
  if (m.sent_by_us) {
    std::cout << "you (device " << m.sender_device << ") -> " << peer;
  } else {
    std::cout << peer;
    if (m.sender_device != 1) {
      std::cout << " (device " << m.sender_device << ")";
    }
  }
  if (m.identity_unverified) {
    std::cout << " [UNVERIFIED: safety number changed]";
  }
  std::cout << ": " << printable(m.text) << std::endl;
}

void print_notice(const client::notice& n) {
  std::cout << "! " << printable(client::describe(n)) << std::endl;
}

bool print_kt_findings(const client::kt_check_report& report) {
  if (!report.failure.empty()) {
    std::cout << "KEY TRANSPARENCY FAILURE: " << printable(report.failure)
              << ".\n  Your server may be compromised or misbehaving. No new device of anyone "
                 "is trusted until a check passes.\n  `sealpost kt evidence --out FILE` "
                 "exports the conflicting signed heads."
              << std::endl;
    return true;
  }
  for (const std::string& change : report.own_changes) {
    std::cout << "Your account: " << printable(change) << std::endl;
  }
  for (const std::string& alert : report.alerts) {
    std::cout << "ALERT: " << printable(alert) << std::endl;
  }
  for (const std::string& failure : report.contact_failures) {
    std::cout << printable(failure) << ". New devices of theirs get nothing until a check passes."
              << std::endl;
  }
  return !report.own_changes.empty() || !report.alerts.empty() || !report.contact_failures.empty();
}

}  // namespace sealpost::cli

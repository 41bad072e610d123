// How the CLI shows messages, notices, people and safety numbers.
#pragma once

#include <string>

#include "core/messenger.hpp"

namespace sealpost::cli {

// The name to show: the username, else the account id.
std::string who(const std::string& username, const std::string& account_id);

// 60 digits in groups of five.
std::string grouped(const std::string& digits);

// "[HH:MM:SS] bob (device 2): text" on standard output, with warnings for changed keys.
void print_message(const client::received_message& m);

// "! sentence" on standard output.
void print_notice(const client::notice& n);

// What a key-transparency check found that people must see: a log-level failure, changes to
// this account's devices, alerts, contacts whose proofs failed. True when it printed any.
bool print_kt_findings(const client::kt_check_report& report);

}  // namespace sealpost::cli

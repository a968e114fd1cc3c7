//! End-to-end tests: real servers on `127.0.0.1:0`, real HTTP through reqwest.
//!
//! One test binary with a module per endpoint group, so the suite links once.

mod customers;
mod health;
mod metrics;
mod server;
mod support;

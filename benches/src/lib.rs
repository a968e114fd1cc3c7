//! scrm's benchmarks live in `benches/`: `cargo bench -p scrm-benches`. Each prints its
//! figures; none is a timed assertion in a test.

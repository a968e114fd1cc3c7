//! Shared by the conformance runs: the cases, and how to get a log of each backend.

#![allow(dead_code, unreachable_pub)]

pub mod cases;

/// A topic name no other test uses, on a shared broker too.
pub fn unique_topic(label: &str) -> String {
    scrm_testkit::unique_name(label)
}

/// Defines one `#[test]` per conformance case against the log built by `$make`.
#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        $crate::conformance_suite!($make;
            topics_are_created_checked_and_refused,
            appends_are_partitioned_like_kafka_and_read_back_whole,
            offsets_are_dense_and_ordered_per_partition,
            readers_follow_the_tail,
            seek_by_time_is_exact_after_filtering,
            watermarks_track_appends,
            unknown_topics_and_partitions_are_named,
            explicit_partitions_are_honoured,
            readers_start_exactly_where_asked,
        );
    };
    ($make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[test]
            fn $case() {
                let fixture = $make;
                common::cases::$case(fixture.log());
            }
        )+
    };
}

//! What several benchmarks share.

use scrm_events::InputTopic;

/// The input topic of a generated event.
pub(crate) fn topic_of(t: scrm_gen::Topic) -> InputTopic {
    match t {
        scrm_gen::Topic::Conversation => InputTopic::Conversation,
        scrm_gen::Topic::Behavior => InputTopic::Behavior,
        scrm_gen::Topic::Transaction => InputTopic::Transaction,
        scrm_gen::Topic::CrmUpdates => InputTopic::CrmUpdates,
    }
}

//! The live feed of the queue: every call, recall and change of the waiting
//! counts goes to an in-process broadcast channel that the displays' event
//! streams (`GET /api/v1/public/queue/stream`) read. One server process per
//! hall is the deployment this serves; the displays reconnect by themselves
//! (EventSource) and get the last calls again on connect.

use serde::Serialize;
use tokio::sync::broadcast;
use utoipa::ToSchema;

/// How many events a slow display may fall behind before it skips ahead.
const CAPACITY: usize = 1024;

/// One call (or recall) as the displays show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallView {
    pub ticket_id: i64,
    pub number: String,
    pub category_code: String,
    pub category_name: String,
    pub window_id: i64,
    pub window_number: String,
    pub hall_id: i64,
    /// How many times it was called again (0 for the first call).
    pub recall_count: i64,
    /// When it was called (RFC 3339).
    pub at: String,
    /// The text a display reads out: "请A001号到03号窗口办理".
    pub announcement: String,
}

/// Waiting tickets of one category now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingView {
    pub category_id: i64,
    pub code: String,
    pub name: String,
    pub waiting: i64,
}

/// What the hub carries.
#[derive(Debug, Clone)]
pub enum QueueEvent {
    Call {
        center_id: i64,
        call: CallView,
    },
    Waiting {
        center_id: i64,
        waiting: Vec<WaitingView>,
    },
}

/// The broadcast channel; cheap to clone.
#[derive(Debug, Clone)]
pub struct QueueHub {
    tx: broadcast::Sender<QueueEvent>,
}

impl Default for QueueHub {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(CAPACITY);
        QueueHub { tx }
    }
}

impl QueueHub {
    pub fn subscribe(&self) -> broadcast::Receiver<QueueEvent> {
        self.tx.subscribe()
    }

    /// Sends to whoever listens; nobody listening is fine.
    pub fn publish(&self, event: QueueEvent) {
        let _ = self.tx.send(event);
    }
}

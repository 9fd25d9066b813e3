//! [`Background`]: a server on a thread of its own, for tests, benchmarks and tools that run a
//! server beside other work.

use std::net::SocketAddr;

use actix::Addr;

use super::{StartError, Stopper, start};
use crate::actors::hub::Hub;
use crate::config::Config;
use crate::ids::StreamId;

/// A server on a thread (and actix system) of its own, for tests, benchmarks and tools that run
/// a server beside other work. Stopped, abruptly, when dropped.
pub struct Background {
    pub addr: SocketAddr,
    /// Where `/metrics` is served when `--metrics-bind` moved it.
    pub metrics_addr: Option<SocketAddr>,
    pub stream: StreamId,
    /// The hub's address: in-process callers may send it messages directly.
    pub hub: Addr<Hub>,
    stopper: Stopper,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Start a server with `config` on a new thread; returns once it is listening.
    pub fn start(config: Config) -> Result<Background, StartError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let system = actix::System::new();
            system.block_on(async move {
                match start(config).await {
                    Ok(running) => {
                        let info = (
                            running.addr,
                            running.metrics_addr,
                            running.stream.clone(),
                            running.hub.clone(),
                            running.handle(),
                        );
                        if tx.send(Ok(info)).is_ok() {
                            let _ = running.wait().await;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
            actix::System::current().stop();
        });
        let (addr, metrics_addr, stream, hub, stopper) =
            rx.recv().expect("server thread reports back")?;
        Ok(Background {
            addr,
            metrics_addr,
            stream,
            hub,
            stopper,
            thread: Some(thread),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stopper.stop_now();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

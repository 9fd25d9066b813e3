//! Admission control for viewers: `--max-viewers` for the whole server and
//! `--max-viewers-per-ip` for one client address.
//!
//! Every connection that holds the server's attention for a while takes a slot: an SSE stream, a
//! viewer WebSocket, a waiting long-poll. The slot lives as long as the connection (it is owned
//! by the response body, the connection's task or the viewer's queue), so it is freed the moment
//! the connection goes, not when the broadcaster next notices; a viewer the broadcaster drops as
//! too slow frees its slot then, even while its connection, never drained, is still open. Checked by the handler before any work is done,
//! with plain atomics and one short-held map lock rather than a question to an actor, so a flood
//! of connections is turned away without queueing behind the fan-out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Why a viewer was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `--max-viewers` reached.
    Server(usize),
    /// `--max-viewers-per-ip` reached for this address.
    Address(usize),
}

/// The slot counters, shared by every worker.
#[derive(Debug, Clone)]
pub struct ViewerSlots {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    used: AtomicUsize,
    max: usize,
    /// Slots held per address; an address leaves the map with its last slot, so the map is
    /// never larger than the number of connections.
    per_address: Mutex<HashMap<IpAddr, usize>>,
    /// 0: no per-address cap.
    max_per_address: usize,
}

impl ViewerSlots {
    /// Slots for at most `max` connections in all and `max_per_address` from one address; 0 for
    /// either means no cap of that kind.
    pub fn new(max: usize, max_per_address: usize) -> ViewerSlots {
        ViewerSlots {
            inner: Arc::new(Inner {
                used: AtomicUsize::new(0),
                max: if max == 0 { usize::MAX } else { max },
                per_address: Mutex::new(HashMap::new()),
                max_per_address,
            }),
        }
    }

    /// A slot for a connection from `address` (`None`: not known, only the server-wide cap
    /// applies).
    pub fn try_acquire(&self, address: Option<IpAddr>) -> Result<ViewerSlot, Refusal> {
        let inner = &self.inner;
        inner
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < inner.max).then_some(n + 1)
            })
            .map_err(|_| Refusal::Server(inner.max))?;
        let mut slot = ViewerSlot {
            slots: self.clone(),
            address: None,
        };
        if let (Some(ip), max @ 1..) = (address, inner.max_per_address) {
            let mut held = inner.per_address.lock().expect("slot map lock");
            let count = held.entry(ip).or_default();
            if *count >= max {
                // `slot` gives the server-wide slot back as it drops.
                return Err(Refusal::Address(max));
            }
            *count += 1;
            slot.address = Some(ip);
        }
        Ok(slot)
    }

    pub fn in_use(&self) -> usize {
        self.inner.used.load(Ordering::Acquire)
    }
}

/// One admitted connection; frees its slot when dropped.
#[derive(Debug)]
pub struct ViewerSlot {
    slots: ViewerSlots,
    address: Option<IpAddr>,
}

impl Drop for ViewerSlot {
    fn drop(&mut self) {
        let inner = &self.slots.inner;
        if let Some(ip) = self.address {
            let mut held = inner.per_address.lock().expect("slot map lock");
            if let Some(count) = held.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    held.remove(&ip);
                }
            }
        }
        inner.used.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));
    const B: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2)));

    #[test]
    fn one_address_cannot_take_more_than_its_share() {
        let slots = ViewerSlots::new(10, 2);
        let a1 = slots.try_acquire(A).unwrap();
        let _a2 = slots.try_acquire(A).unwrap();
        assert_eq!(slots.try_acquire(A).unwrap_err(), Refusal::Address(2));
        let _b = slots.try_acquire(B).unwrap();
        assert_eq!(
            slots.in_use(),
            3,
            "a refused address takes no server-wide slot"
        );
        drop(a1);
        assert!(slots.try_acquire(A).is_ok());
    }

    #[test]
    fn zero_means_no_cap_for_the_server_as_for_an_address() {
        let slots = ViewerSlots::new(0, 0);
        let held: Vec<_> = (0..1000).map(|_| slots.try_acquire(A).unwrap()).collect();
        assert_eq!(slots.in_use(), held.len());
    }

    #[test]
    fn the_server_wide_cap_holds_across_addresses_and_frees_on_drop() {
        let slots = ViewerSlots::new(2, 0);
        let first = slots.try_acquire(A).unwrap();
        let _second = slots.try_acquire(B).unwrap();
        assert_eq!(slots.try_acquire(None).unwrap_err(), Refusal::Server(2));
        drop(first);
        let _third = slots.try_acquire(None).unwrap();
        assert_eq!(slots.in_use(), 2);
    }
}

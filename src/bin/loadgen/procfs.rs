//! Server-side cost, read from `/proc`: CPU seconds (user + system) and resident memory of the
//! server's processes (several for a peer like nginx, whose workers do the serving).

use std::fs;

/// One reading of a set of processes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub cpu_secs: f64,
    /// Resident set now, in bytes (summed over the processes).
    pub rss: u64,
    /// Peak resident set, in bytes (summed over the processes).
    pub peak_rss: u64,
}

fn ticks_per_sec() -> f64 {
    // SAFETY: sysconf has no preconditions and only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

fn status_kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Read the usage of `pids`; processes that have gone count as zero.
pub fn read(pids: &[u32]) -> Usage {
    let tick = ticks_per_sec();
    let mut usage = Usage::default();
    for pid in pids {
        if let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The command name is in parentheses and may contain spaces; fields follow it.
            let fields: Vec<&str> = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest)
                .unwrap_or("")
                .split_whitespace()
                .collect();
            let field = |i: usize| {
                fields
                    .get(i)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name.
            usage.cpu_secs += (field(11) + field(12)) / tick;
        }
        if let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) {
            usage.rss += status_kib(&status, "VmRSS:") * 1024;
            usage.peak_rss += status_kib(&status, "VmHWM:") * 1024;
        }
    }
    usage
}

/// `pid` and its child processes (an nginx master and its workers).
pub fn with_children(pid: u32) -> Vec<u32> {
    let mut pids = vec![pid];
    if let Ok(children) = fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")) {
        pids.extend(
            children
                .split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok()),
        );
    }
    pids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = read(&[std::process::id()]);
        assert!(me.rss > 0 && me.peak_rss >= me.rss);
        assert_eq!(read(&[u32::MAX]), Usage::default());
    }
}

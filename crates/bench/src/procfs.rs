//! What Linux's `/proc` tells about the server, this process, the machine's
//! CPUs and the disk: enough to say where the time of a case went.
//!
//! Every reader returns `None` when the file is missing or unexpected (not
//! Linux, a container hiding it), so the benchmark still runs and the report
//! shows a dash.

use std::path::Path;
use std::time::Duration;

/// Clock ticks per second of `/proc/*/stat`. Linux fixes USER_HZ at 100 on
/// every architecture it exposes to user space, and asking `getconf` for it
/// would be a process per sample.
const TICKS_PER_SECOND: u64 = 100;

/// User + system CPU time of a process so far (all its threads).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    cpu_of_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// User + system CPU time of this process so far.
pub fn own_cpu() -> Option<Duration> {
    cpu_of_stat(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

fn cpu_of_stat(stat: &str) -> Option<Duration> {
    // The command name (field 2) may hold spaces and parentheses: count the
    // fields after its closing parenthesis. Field 3 (state) is index 0 there,
    // so utime (14) and stime (15) are 11 and 12.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis(
        (utime + stime) * 1000 / TICKS_PER_SECOND,
    ))
}

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// The peak (VmHWM) since the process started or since
    /// [`reset_peak_memory`].
    pub peak_kib: u64,
    /// Now (VmRSS).
    pub rss_kib: u64,
}

pub fn memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some(Memory {
        peak_kib: field("VmHWM:")?,
        rss_kib: field("VmRSS:")?,
    })
}

/// Resets the process's peak resident size to its current size (Linux ≥ 4.0,
/// `clear_refs` value 5), so each level reports its own peak. Returns whether
/// it worked; if not, the peak is the process's peak so far.
pub fn reset_peak_memory(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// The machine's CPU time by kind, summed over all CPUs (`/proc/stat`).
#[derive(Debug, Clone, Copy, Default)]
pub struct MachineCpu {
    pub busy: Duration,
    pub idle: Duration,
    pub iowait: Duration,
}

impl MachineCpu {
    pub fn read() -> Option<MachineCpu> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is
        // already counted in user).
        let at = |i: usize| ticks.get(i).copied().unwrap_or(0);
        let to_duration = |t: u64| Duration::from_millis(t * 1000 / TICKS_PER_SECOND);
        Some(MachineCpu {
            busy: to_duration(at(0) + at(1) + at(2) + at(5) + at(6) + at(7)),
            idle: to_duration(at(3)),
            iowait: to_duration(at(4)),
        })
    }

    pub fn since(&self, earlier: &MachineCpu) -> MachineCpu {
        MachineCpu {
            busy: self.busy.saturating_sub(earlier.busy),
            idle: self.idle.saturating_sub(earlier.idle),
            iowait: self.iowait.saturating_sub(earlier.iowait),
        }
    }

    pub fn total(&self) -> Duration {
        self.busy + self.idle + self.iowait
    }
}

/// The share (0–100) of all CPUs that was busy over the next `period`.
pub async fn busy_share(period: Duration) -> Option<f64> {
    let before = MachineCpu::read()?;
    tokio::time::sleep(period).await;
    let used = MachineCpu::read()?.since(&before);
    let total = used.total().as_secs_f64();
    (total > 0.0).then(|| used.busy.as_secs_f64() * 100.0 / total)
}

/// The block device a directory lives on, as `/proc/diskstats` names it.
#[derive(Debug, Clone)]
pub struct Disk {
    name: String,
}

/// Completed writes and cache flushes (what an fsync turns into) of a disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiskCounters {
    pub writes: u64,
    pub flushes: u64,
}

impl Disk {
    /// The device of the longest mount point containing `path`, if it is a
    /// block device listed in `/proc/diskstats`.
    pub fn of_path(path: &Path) -> Option<Disk> {
        let path = path.canonicalize().ok()?;
        let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
        let (device, _) = mounts
            .lines()
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                Some((f.next()?, f.next()?))
            })
            .filter(|(_, mount)| path.starts_with(mount))
            .max_by_key(|(_, mount)| mount.len())?;
        let name = device.strip_prefix("/dev/")?.to_string();
        let disk = Disk { name };
        disk.counters().map(|_| disk)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn counters(&self) -> Option<DiskCounters> {
        let stats = std::fs::read_to_string("/proc/diskstats").ok()?;
        let fields: Vec<&str> = stats
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.get(2) == Some(&self.name.as_str()))?
            .into_iter()
            .skip(3)
            .collect();
        // After the name: reads (0-3), writes completed (4), …; flushes
        // completed (15) exist since Linux 5.5.
        Some(DiskCounters {
            writes: fields.get(4)?.parse().ok()?,
            flushes: fields.get(15).and_then(|v| v.parse().ok()).unwrap_or(0),
        })
    }
}

/// "AMD EPYC", from the first `model name` of `/proc/cpuinfo`.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// "ext4 on /dev/vda" for the mount holding `path`.
pub fn filesystem_of(path: &Path) -> Option<String> {
    let path = path.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((*f.first()?, *f.get(1)?, *f.get(2)?))
        })
        .filter(|(_, mount, _)| path.starts_with(mount))
        .max_by_key(|(_, mount, _)| mount.len())
        .map(|(device, _, fs)| format!("{fs} on {device}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_after_the_command_name() {
        let stat = "42 (tokio (rt) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 1 1 1";
        assert_eq!(cpu_of_stat(stat), Some(Duration::from_millis(3000)));
    }

    #[test]
    fn this_process_has_used_some_cpu_and_memory() {
        assert!(own_cpu().is_some());
        let m = memory(std::process::id()).expect("our own status");
        assert!(m.rss_kib > 0 && m.peak_kib >= m.rss_kib);
    }
}

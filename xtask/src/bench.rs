//! `cargo xtask bench`: what `../shared/bench` cannot measure, the cost of waiting on many
//! connections. A Lua server (`tests/bench/poll_server.lua`) waits on N connections with
//! `socket.select`, `socket.poll` or luv and echoes each byte; this driver connects the
//! N clients, keeps some busy and counts round trips per second, each one wakeup of the
//! server. Rates are printed with their ratios, never asserted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{dist, root, Result};

/// The servers compared, in table order.
const IMPLS: &[&str] = &["select", "poll", "luv"];

/// One scenario: N connections, of which `active` are busy at once; `trickle`: one
/// message at a time on a connection picked at random.
struct Scenario {
    name: &'static str,
    n: usize,
    active: usize,
    trickle: bool,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "9000 sockets, 10 active",
        n: 9000,
        active: 10,
        trickle: false,
    },
    Scenario {
        name: "1000 idle, trickle",
        n: 1000,
        active: 1,
        trickle: true,
    },
    Scenario {
        name: "9000 idle, trickle",
        n: 9000,
        active: 1,
        trickle: true,
    },
];

/// Runs every scenario under each interpreter (`lua5.4` and `luajit` unless named with
/// `--lua`), `--secs` seconds each (default 2).
pub(crate) fn bench(args: &[String]) -> Result {
    let mut luas: Vec<String> = Vec::new();
    let mut secs = 2.0;
    let mut i = 0;
    while i < args.len() {
        match (args[i].as_str(), args.get(i + 1)) {
            ("--lua", Some(v)) => luas.push(v.clone()),
            ("--secs", Some(v)) => {
                secs = v
                    .parse()
                    .map_err(|_| format!("bench: --secs {v}: not a number"))?
            }
            (a, _) => return Err(format!("bench: unexpected argument {a}")),
        }
        i += 2;
    }
    if luas.is_empty() {
        luas = vec!["lua5.4".into(), "luajit".into()];
    }
    dist(&luas)?;
    let mut table = String::from(
        "| interpreter | scenario | select | poll | luv | poll / select | poll / luv |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for lua in &luas {
        for sc in SCENARIOS {
            let mut rates = Vec::new();
            for imp in IMPLS {
                let rate = run_case(lua, imp, sc, secs)?;
                match rate {
                    Some(r) => eprintln!("{lua} {imp:6} {:26} {r:>10.0} wakeups/s", sc.name),
                    None => eprintln!("{lua} {imp:6} {:26} unsupported", sc.name),
                }
                rates.push(rate);
            }
            let cell = |r: Option<f64>| r.map_or("n/a".into(), |r| format!("{r:.0}"));
            let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
                _ => "n/a".into(),
            };
            table.push_str(&format!(
                "| {lua} | {} | {} | {} | {} | {} | {} |\n",
                sc.name,
                cell(rates[0]),
                cell(rates[1]),
                cell(rates[2]),
                ratio(rates[1], rates[0]),
                ratio(rates[1], rates[2]),
            ));
        }
    }
    println!("\nwakeups handled per second (round trips of one byte; higher is better)\n\n{table}");
    Ok(())
}

/// Kills the server when the case ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One server under one interpreter: the round trips per second, or `None` when the
/// interpreter lacks the implementation (luv not installed).
fn run_case(lua: &str, imp: &str, sc: &Scenario, secs: f64) -> Result<Option<f64>> {
    let dist_dir = root().join("dist").join(lua);
    let script = root().join("tests/bench/poll_server.lua");
    let child = Command::new(lua)
        .arg(&script)
        .arg(&dist_dir)
        .arg(imp)
        .arg(sc.n.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("bench: cannot run {lua}: {e}"))?;
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().expect("piped"));
    let mut line = String::new();
    lines.read_line(&mut line).map_err(|e| e.to_string())?;
    if line.starts_with("UNSUPPORTED") {
        return Ok(None);
    }
    let port: u16 = line
        .strip_prefix("PORT ")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| format!("bench: {lua} {imp}: expected PORT, got {line:?}"))?;
    let mut conns = Vec::with_capacity(sc.n);
    for _ in 0..sc.n {
        let s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
        s.set_nodelay(true).map_err(|e| e.to_string())?;
        conns.push(s);
    }
    line.clear();
    lines.read_line(&mut line).map_err(|e| e.to_string())?;
    if line.trim() != "READY" {
        return Err(format!("bench: {lua} {imp}: expected READY, got {line:?}"));
    }
    let rate = if sc.trickle {
        trickle(&mut conns, secs)?
    } else {
        busy(&mut conns, sc.active, secs)?
    };
    let _ = conns[0].write_all(b"q");
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = server.0.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(Some(rate))
}

/// `active` connections spread over the set, each with one byte in flight at all times.
fn busy(conns: &mut [TcpStream], active: usize, secs: f64) -> Result<f64> {
    let step = conns.len() / active;
    let picked: Vec<usize> = (0..active).map(|i| i * step).collect();
    for &i in &picked {
        conns[i].write_all(b"x").map_err(|e| e.to_string())?;
    }
    let mut fds: Vec<libc::pollfd> = picked
        .iter()
        .map(|&i| libc::pollfd {
            fd: conns[i].as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let start = Instant::now();
    let mut count = 0u64;
    let mut byte = [0u8; 1];
    while start.elapsed().as_secs_f64() < secs {
        // SAFETY: `fds` is a valid array of pollfd for the call's duration.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 1000) };
        if n < 0 {
            return Err(format!("poll: {}", std::io::Error::last_os_error()));
        }
        for (k, p) in fds.iter().enumerate() {
            if p.revents == 0 {
                continue;
            }
            let c = &mut conns[picked[k]];
            c.read_exact(&mut byte).map_err(|e| format!("read: {e}"))?;
            count += 1;
            c.write_all(b"x").map_err(|e| e.to_string())?;
        }
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// One byte at a time, each on a connection picked at random among all of them.
fn trickle(conns: &mut [TcpStream], secs: f64) -> Result<f64> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let start = Instant::now();
    let mut count = 0u64;
    let mut byte = [0u8; 1];
    while start.elapsed().as_secs_f64() < secs {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let c = &mut conns[(seed >> 33) as usize % conns.len()];
        c.write_all(b"x").map_err(|e| e.to_string())?;
        c.read_exact(&mut byte).map_err(|e| format!("read: {e}"))?;
        count += 1;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

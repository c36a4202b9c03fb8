//! Character devices for `socket.serial`: a path opened for reading and writing, used
//! through the same buffered, timeout-bounded I/O as a stream socket.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};

use luasocket_io::{Error, Timeout, Transport};

use crate::sys::{self, Interest, RawFd};

/// An open character device (a serial line, a terminal, a FIFO).
#[derive(Debug)]
pub struct Device {
    file: Option<File>,
}

impl Device {
    /// Backs `socket.serial(path)`: opens `path` read-write, non-blocking, without making
    /// it the controlling terminal. On failure, the error and its `errno`.
    pub fn open(path: &[u8]) -> Result<Device, (Error, i32)> {
        let file = sys::open_device(path).map_err(|e| {
            let code = e.raw_os_error().unwrap_or(0);
            (sys::error(e), code)
        })?;
        Ok(Device { file: Some(file) })
    }

    /// The descriptor number, or -1 once closed.
    pub fn fd(&self) -> RawFd {
        self.file
            .as_ref()
            .map_or(crate::SOCKET_INVALID, AsRawFd::as_raw_fd)
    }

    /// Backs `close()`.
    pub fn close(&mut self) {
        self.file = None;
    }

    /// Backs `setfd(n)`, as [`crate::Sock::set_fd`].
    ///
    /// # Safety
    ///
    /// A non-negative `fd` must be an open descriptor whose ownership passes to this
    /// object.
    #[allow(unsafe_code)] // adopting a descriptor by number is unsafe by nature (I/O safety)
    pub unsafe fn set_fd(&mut self, fd: RawFd) {
        if let Some(old) = self.file.take() {
            let _ = old.into_raw_fd();
        }
        if fd >= 0 {
            // SAFETY: the caller hands over ownership of an open descriptor.
            self.file = Some(unsafe { File::from_raw_fd(fd) });
        }
    }
}

impl Transport for Device {
    fn recv(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<usize, Error> {
        let file = self.file.as_ref().ok_or(Error::Closed)?;
        let len = buf.len();
        sys::recv_stream(file.as_raw_fd(), tm, len, || {
            let mut reader: &File = file;
            reader.read(buf)
        })
    }

    fn send(&mut self, data: &[u8], tm: &Timeout) -> Result<usize, Error> {
        let file = self.file.as_ref().ok_or(Error::Closed)?;
        sys::retry(file.as_raw_fd(), Interest::Write, tm, || {
            let mut writer: &File = file;
            writer.write(data)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use luasocket_io::{Buffer, Pattern};

    #[test]
    fn fifo_round_trip_and_open_errors() {
        let dir = std::env::temp_dir().join(format!("ls-dev-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let path = path.to_str().unwrap();
        let mut dev = Device::open(path.as_bytes()).unwrap();
        let tm = Timeout::new(2.0, -1.0);
        let mut buf = Buffer::new();
        assert_eq!(buf.send(&mut dev, &tm, b"line\n").0, 5);
        let mut out = Vec::new();
        buf.receive(&mut dev, &tm, Pattern::Line, &mut out).unwrap();
        assert_eq!(out, b"line");
        let zero = Timeout::new(0.0, -1.0);
        out.clear();
        let e = buf
            .receive(&mut dev, &zero, Pattern::Line, &mut out)
            .unwrap_err();
        assert_eq!(e.to_string(), "timeout");
        dev.close();
        assert_eq!(dev.fd(), -1);
        let (e, code) = Device::open(b"/nonexistent/tty").unwrap_err();
        assert_eq!(code, 2); // ENOENT
        assert_eq!(e.to_string(), "No such file or directory");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Replies of the line protocols behind `socket.tp` (SMTP and FTP): a three-digit code
//! and text, on one line (`ddd text`) or several (`ddd-` up to a line `ddd text` with
//! the same code); and the data addresses in FTP's PASV and EPSV replies.
//!
//! As with the HTTP head, Lua reads each line with the caller's socket and feeds it to
//! a [`Reply`], which says whether it needs another.

use crate::{Error, Need};

/// The most bytes a reply's text may have (lines and the line breaks between them).
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// One reply, fed line by line.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    code: Option<[u8; 3]>,
    text: Vec<u8>,
    done: bool,
}

/// The code at the start of a line and the character after it (0 for none).
fn code_of(line: &[u8]) -> Option<([u8; 3], u8)> {
    let code: [u8; 3] = line.get(..3)?.try_into().ok()?;
    code.iter()
        .all(u8::is_ascii_digit)
        .then(|| (code, line.get(3).copied().unwrap_or(0)))
}

impl Reply {
    /// [`Need::Line`] until the reply's last line, then [`Need::Done`].
    pub fn need(&self) -> Need {
        if self.done {
            Need::Done
        } else {
            Need::Line
        }
    }

    /// Takes one line, without its line break. The first line must start with a code;
    /// later lines are text until the closing `ddd ` line.
    pub fn line(&mut self, line: &[u8]) -> Result<Need, Error> {
        if self.done {
            return Ok(Need::Done);
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match self.code {
            None => {
                let (code, sep) = code_of(line).ok_or(Error::InvalidReply)?;
                self.code = Some(code);
                self.done = sep != b'-';
            }
            Some(first) => {
                if self.text.len() + 1 + line.len() > MAX_REPLY_BYTES {
                    return Err(Error::ReplyTooLarge);
                }
                self.text.push(b'\n');
                self.done = code_of(line) == Some((first, b' '));
            }
        }
        self.text.extend_from_slice(line);
        Ok(self.need())
    }

    /// The three digits of the code, once the first line is in.
    pub fn code(&self) -> Option<&[u8; 3]> {
        self.code.as_ref()
    }

    /// The whole reply, lines joined with `"\n"`.
    pub fn text(&self) -> &[u8] {
        &self.text
    }
}

/// The address and port of a PASV reply: the first six numbers in it separated by one
/// non-digit each (`227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`), as LuaSocket reads
/// it; `None` when there are no such six. Each number must fit a byte, and the port must
/// not be 0.
pub fn pasv_address(reply: &[u8]) -> Result<Option<([u8; 4], u16)>, Error> {
    let Some(numbers) = (0..reply.len())
        .filter(|&at| reply[at].is_ascii_digit())
        .find_map(|at| six_numbers(&reply[at..]))
    else {
        return Ok(None);
    };
    let mut bytes = [0u8; 6];
    for (byte, n) in bytes.iter_mut().zip(numbers) {
        *byte = u8::try_from(n).map_err(|_| Error::InvalidPasv)?;
    }
    let port = u16::from_be_bytes([bytes[4], bytes[5]]);
    if port == 0 {
        return Err(Error::InvalidPasv);
    }
    Ok(Some(([bytes[0], bytes[1], bytes[2], bytes[3]], port)))
}

/// Six runs of digits, each but the last followed by exactly one non-digit.
fn six_numbers(mut s: &[u8]) -> Option<[u64; 6]> {
    let mut out = [0u64; 6];
    for (i, n) in out.iter_mut().enumerate() {
        let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        *n = s[..digits].iter().fold(0u64, |n, &d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        });
        s = &s[digits..];
        if i < 5 {
            s = s.get(1..)?;
        }
    }
    Some(out)
}

/// The port of an EPSV reply: `(<d><d><d>port<d>)` for any delimiter `<d>`.
pub fn epsv_port(reply: &[u8]) -> Result<u16, Error> {
    (0..reply.len())
        .filter(|&at| reply[at] == b'(')
        .find_map(|at| {
            let s = &reply[at + 1..];
            let d = *s.first()?;
            if s.get(1) != Some(&d) || s.get(2) != Some(&d) {
                return None;
            }
            let s = &s[3..];
            let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
            (digits > 0 && s.get(digits) == Some(&d) && s.get(digits + 1) == Some(&b')'))
                .then(|| &s[..digits])
        })
        .and_then(|digits| std::str::from_utf8(digits).ok()?.parse::<u16>().ok())
        .filter(|&port| port != 0)
        .ok_or(Error::InvalidEpsv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply_of(lines: &[&[u8]]) -> Result<(Need, Reply), Error> {
        let mut r = Reply::default();
        let mut need = r.need();
        for line in lines {
            need = r.line(line)?;
        }
        Ok((need, r))
    }

    #[test]
    fn replies() {
        let (need, r) = reply_of(&[b"220 ready"]).unwrap();
        assert_eq!(
            (need, r.code(), r.text()),
            (Need::Done, Some(b"220"), &b"220 ready"[..])
        );
        let (need, r) = reply_of(&[b"250-one", b"250-two", b"251 other code", b"250 end"]).unwrap();
        assert_eq!(need, Need::Done);
        assert_eq!(r.text(), b"250-one\n250-two\n251 other code\n250 end");
        let (need, _) = reply_of(&[b"250-one", b"250"]).unwrap();
        assert_eq!(need, Need::Line);
        let (need, r) = reply_of(&[b"200"]).unwrap();
        assert_eq!((need, r.text()), (Need::Done, &b"200"[..]));
        assert!(matches!(reply_of(&[b"hello"]), Err(Error::InvalidReply)));
        assert!(matches!(reply_of(&[b"20 x"]), Err(Error::InvalidReply)));
        let big = vec![b'x'; MAX_REPLY_BYTES];
        assert!(matches!(
            reply_of(&[b"220-x", &big]),
            Err(Error::ReplyTooLarge)
        ));
    }

    #[test]
    fn passive_addresses() {
        assert_eq!(
            pasv_address(b"227 Entering Passive Mode (127,0,0,1,4,210)"),
            Ok(Some(([127, 0, 0, 1], 4 * 256 + 210)))
        );
        assert_eq!(
            pasv_address(b"227 =10,1,2,3,0,21"),
            Ok(Some(([10, 1, 2, 3], 21)))
        );
        for bad in [&b"227 (256,0,0,1,4,5)"[..], b"227 (1,2,3,4,0,0)"] {
            assert_eq!(pasv_address(bad), Err(Error::InvalidPasv), "{bad:?}");
        }
        for none in [&b"227 (1,2,3,4,5)"[..], b"227"] {
            assert_eq!(pasv_address(none), Ok(None), "{none:?}");
        }
        assert_eq!(epsv_port(b"229 Extended Passive Mode (|||6446|)"), Ok(6446));
        assert_eq!(epsv_port(b"229 (!!!21!)"), Ok(21));
        for bad in [
            &b"229 (|||0|)"[..],
            b"229 (|||70000|)",
            b"229 (||6446|)",
            b"229 (|||x|)",
        ] {
            assert_eq!(epsv_port(bad), Err(Error::InvalidEpsv), "{bad:?}");
        }
    }
}

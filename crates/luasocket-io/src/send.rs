//! The index arithmetic of `send(data [, i [, j]])`.

use std::ops::Range;

/// Backs the `i`/`j` arguments of `client:send(data, i, j)`: the byte range to send (zero
/// based) and the 1-based index that "nothing sent" corresponds to (`i - 1` after clamping).
///
/// Negative indices count from the end, as in `string.sub`; `i` below 1 becomes 1 and `j`
/// past the end becomes the length. An empty range sends nothing. The return value of
/// `send` is `base + bytes_sent`.
pub fn send_range(len: usize, i: i64, j: i64) -> (Range<usize>, i64) {
    let size = i64::try_from(len).unwrap_or(i64::MAX);
    let mut start = if i < 0 {
        size.saturating_add(i).saturating_add(1)
    } else {
        i
    };
    let mut end = if j < 0 {
        size.saturating_add(j).saturating_add(1)
    } else {
        j
    };
    if start < 1 {
        start = 1;
    }
    if end > size {
        end = size;
    }
    let base = start - 1;
    if start <= end {
        // Both are within 1..=size here, so the casts cannot truncate.
        ((start - 1) as usize..end as usize, base)
    } else {
        (0..0, base)
    }
}

#[cfg(test)]
mod tests {
    use super::send_range;

    #[test]
    fn ranges_like_string_sub() {
        let cases: &[(usize, i64, i64, std::ops::Range<usize>, i64)] = &[
            (10, 1, -1, 0..10, 0),
            (10, 3, 5, 2..5, 2),
            (10, -3, -1, 7..10, 7),
            (10, 0, 4, 0..4, 0),
            (10, 5, 100, 4..10, 4),
            (10, 8, 2, 0..0, 7),
            (0, 1, -1, 0..0, 0),
            (10, i64::MIN, i64::MAX, 0..10, 0),
            (10, i64::MAX, i64::MIN, 0..0, i64::MAX - 1),
        ];
        for (len, i, j, range, base) in cases {
            assert_eq!(
                send_range(*len, *i, *j),
                (range.clone(), *base),
                "{len} {i} {j}"
            );
        }
    }
}

//! Where a JSON path (`$.columns[2].generator`) sits in a JSON text, so the spec editor
//! can say the line and column of a compiler problem. Hand-written: serde_json keeps no
//! positions, and this one lookup over a spec of at most a few MB does not need a
//! second JSON parser with spans.

enum Frame {
    /// An object and the key whose value comes next.
    Object(Option<String>),
    /// An array and the index of the value it is at.
    Array(usize),
}

fn path_of(stack: &[Frame]) -> String {
    let mut path = String::from("$");
    for frame in stack {
        match frame {
            Frame::Object(Some(key)) => {
                path.push('.');
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

/// The 1-based line and column (in characters) where the value at `path` starts in
/// `text`, or `None` when the text has no such value (or is not JSON up to it).
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = false;
    let (mut line, mut column) = (1usize, 1usize);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = (line, column);
        let mut next = i + 1;
        match c {
            '"' => {
                let mut text = String::new();
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' {
                        j += 1;
                    }
                    if let Some(&ch) = chars.get(j) {
                        text.push(ch);
                    }
                    j += 1;
                }
                if expect_key {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        *key = Some(text);
                    }
                    expect_key = false;
                } else if path_of(&stack) == path {
                    return Some(at);
                }
                next = j + 1;
            }
            '{' | '[' => {
                if path_of(&stack) == path {
                    return Some(at);
                }
                stack.push(if c == '{' {
                    Frame::Object(None)
                } else {
                    Frame::Array(0)
                });
                expect_key = c == '{';
            }
            '}' | ']' => {
                stack.pop();
            }
            ',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(_)) => expect_key = true,
                None => {}
            },
            ':' => expect_key = false,
            c if c == '-' || c.is_ascii_alphanumeric() => {
                if path_of(&stack) == path {
                    return Some(at);
                }
                while next < chars.len()
                    && (chars[next].is_ascii_alphanumeric() || "+-.".contains(chars[next]))
                {
                    next += 1;
                }
            }
            _ => {}
        }
        for &skipped in &chars[i..next.min(chars.len())] {
            if skipped == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        i = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_values_by_path_in_a_pretty_spec() {
        let text = "{\n  \"version\": 7,\n  \"columns\": [\n    {\"name\": \"a\\\"b\", \"generator\": {\"kind\": \"x\"}},\n    {\n      \"name\": \"c\",\n      \"generator\": null\n    }\n  ]\n}";
        assert_eq!(locate(text, "$.version"), Some((2, 14)));
        assert_eq!(locate(text, "$.columns"), Some((3, 14)));
        assert_eq!(locate(text, "$.columns[0]"), Some((4, 5)));
        assert_eq!(locate(text, "$.columns[0].generator.kind"), Some((4, 44)));
        assert_eq!(locate(text, "$.columns[1].generator"), Some((7, 20)));
        assert_eq!(locate(text, "$.columns[2]"), None);
        assert_eq!(locate(text, "$.nothing"), None);
        // Not JSON, or cut short: no place, no panic.
        assert_eq!(locate("{\"a\": [1, 2", "$.a[1]"), Some((1, 11)));
        assert_eq!(locate("\"unterminated", "$.a"), None);
        assert_eq!(locate("", "$.a"), None);
        assert_eq!(locate("]]]}}{\"é\": ü", "$.é"), None);
    }
}

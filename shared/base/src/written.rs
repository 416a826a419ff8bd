//! written: how a file writes its values, so a synthetic file reads like the real one.
//!
//! Business exports write numbers for people (`$1,234.56`, `1.234,56 €`, `(149.68)`,
//! `12,5 %`), booleans as words (`Ja`/`Nein`), missing values as tokens (`N/A`), and
//! pick a dialect (`;`, CRLF, a byte order mark). None of that is a value: every piece
//! here comes from a closed list (the currency symbols and codes, the boolean pairs,
//! the null tokens below), so a SafeProfile or spec that carries it names nothing
//! from the user's file. Reading ([`read_number`]) and writing
//! ([`NumberFormat::write`]) live together so the round trip is one piece of code.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How one column's numbers are written. The default is plain: `-1234.5`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberFormat {
    /// Text before the number: a currency symbol or ISO code with the space that
    /// follows it, if any (`$`, `€ `, `CHF `).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// Text after the number, with the space before it (`%`, ` %`, ` €`, ` kr`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub suffix: String,
    /// The decimal mark is a comma (`12,5`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub decimal_comma: bool,
    /// The thousands separator, when the column groups digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouping: Option<Grouping>,
    /// How a negative number is written.
    #[serde(default, skip_serializing_if = "Negative::is_minus")]
    pub negative: Negative,
    /// Positive numbers carry a `+`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub plus: bool,
    /// Scientific notation (`1.23E+05`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub scientific: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A thousands separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// `1,234`
    Comma,
    /// `1.234`
    Point,
    /// `1 234`
    Space,
    /// `1 234` with a no-break space (U+00A0).
    NoBreakSpace,
    /// `1 234` with a narrow no-break space (U+202F), as French Excel writes.
    NarrowNoBreakSpace,
    /// `1'234`, Swiss.
    Apostrophe,
}

impl Grouping {
    /// The separator character.
    pub fn char(self) -> char {
        match self {
            Grouping::Comma => ',',
            Grouping::Point => '.',
            Grouping::Space => ' ',
            Grouping::NoBreakSpace => '\u{A0}',
            Grouping::NarrowNoBreakSpace => '\u{202F}',
            Grouping::Apostrophe => '\'',
        }
    }
    fn of(c: char) -> Option<Grouping> {
        Some(match c {
            ',' => Grouping::Comma,
            '.' => Grouping::Point,
            ' ' => Grouping::Space,
            '\u{A0}' => Grouping::NoBreakSpace,
            '\u{202F}' => Grouping::NarrowNoBreakSpace,
            '\'' | '’' => Grouping::Apostrophe,
            _ => return None,
        })
    }
}

/// How negative numbers are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Negative {
    /// `-149.68`
    #[default]
    Minus,
    /// `(149.68)`, as accountants write.
    Parentheses,
    /// `149.68-`, as SAP exports write.
    TrailingMinus,
}

impl Negative {
    fn is_minus(&self) -> bool {
        *self == Negative::Minus
    }
}

/// Currency symbols and codes a number may carry, longest first within a shared
/// start (`US$` before `$`) so the reader takes the whole symbol.
const CURRENCIES: [&str; 58] = [
    "US$", "NZ$", "HK$", "R$", "C$", "A$", "S$", "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "฿",
    "₫", "₴", "₦", "₱", "Fr.", "kr.", "kr", "zł", "Kč", "Ft", "CHF", "USD", "EUR", "GBP", "JPY",
    "CNY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "INR", "BRL", "MXN",
    "ZAR", "RUB", "KRW", "SGD", "HKD", "TRY", "ILS", "THB", "AED", "SAR", "RON", "BGN", "ISK",
];

/// Spaces allowed between a symbol and its number.
fn is_affix_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{202F}')
}

/// Whether `affix` is a symbol from the closed list (or `%`) with at most one space on
/// the side that faces the number: what a spec or SafeProfile may carry.
pub fn is_known_affix(affix: &str, prefix: bool) -> bool {
    let core = if prefix {
        affix.strip_suffix(is_affix_space).unwrap_or(affix)
    } else {
        affix.strip_prefix(is_affix_space).unwrap_or(affix)
    };
    (core == "%" && !prefix) || CURRENCIES.contains(&core)
}

/// The closed list's own spelling of a symbol (`€`, `CHF`, `%`), so a tally read back
/// from elsewhere (a Spark executor's partial scan) holds only listed symbols.
pub fn known_symbol(symbol: &str) -> Option<&'static str> {
    CURRENCIES
        .iter()
        .chain(std::iter::once(&"%"))
        .find(|&&c| c == symbol)
        .copied()
}

/// A number read from text as people write it, with how it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The value as written (`12.5` for `12,5 %`: a percent sign is kept as a suffix,
    /// not divided out).
    pub value: f64,
    /// Digits after the decimal mark.
    pub decimals: u8,
    /// The symbol before the number, with its space.
    pub prefix: &'static str,
    /// The space after the prefix, if any.
    pub prefix_space: Option<char>,
    /// The symbol after the number.
    pub suffix: &'static str,
    /// The space before the suffix, if any.
    pub suffix_space: Option<char>,
    /// The decimal mark, when the text shows it (`Some(true)` for a comma).
    pub decimal_comma: Option<bool>,
    /// The thousands separator seen.
    pub grouping: Option<Grouping>,
    /// A single `.` or `,` followed by exactly three digits (`1.234`): a decimal mark
    /// or a thousands separator, read as `ambiguous_as_decimal` said.
    pub ambiguous: bool,
    /// How the sign was written, for negative values.
    pub negative: Option<Negative>,
    /// A `+` was written.
    pub plus: bool,
    /// Written with an exponent.
    pub scientific: bool,
}

fn strip_symbol(s: &str, prefix: bool) -> Option<(&'static str, Option<char>, &str)> {
    for sym in CURRENCIES.iter().copied().chain(std::iter::once("%")) {
        if prefix && sym == "%" {
            continue;
        }
        let rest = if prefix {
            s.strip_prefix(sym)
        } else {
            s.strip_suffix(sym)
        };
        let Some(rest) = rest else { continue };
        // A code must not run into letters ("USDA" is no currency).
        let next = if prefix {
            rest.chars().next()
        } else {
            rest.chars().next_back()
        };
        if next.is_some_and(char::is_alphabetic) {
            continue;
        }
        let (space, rest) = match next {
            Some(c) if is_affix_space(c) => (
                Some(c),
                if prefix {
                    &rest[c.len_utf8()..]
                } else {
                    &rest[..rest.len() - c.len_utf8()]
                },
            ),
            _ => (None, rest),
        };
        return Some((sym, space, rest));
    }
    None
}

/// Reads a number written for people: currency symbols or codes before or after,
/// thousands separators (`1,234.56`, `1.234,56`, `1 234,56`, `1'234.56`), percent,
/// accounting negatives `(149.68)`, a trailing minus, a leading `+`, scientific
/// notation. A lone `,` or `.` before exactly three digits is read as a decimal mark
/// when `ambiguous_as_decimal` says so for that mark (`Some(true)` comma, `Some(false)`
/// point) and as a separator otherwise. `None` when the text is not a number; a plain
/// number reads too, but callers take a faster path for those.
pub fn read_number(text: &str, comma_is_decimal: bool) -> Option<Reading> {
    let mut s = text.trim_matches(|c: char| c.is_whitespace());
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let mut negative = None;
    let mut plus = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = Some(Negative::Parentheses);
        s = inner.trim();
    }
    let mut take_sign = |s: &mut &str| {
        if negative.is_none() {
            if let Some(r) = s.strip_prefix(['-', '−']) {
                negative = Some(Negative::Minus);
                *s = r.trim_start();
            } else if let Some(r) = s.strip_prefix('+') {
                plus = true;
                *s = r.trim_start();
            }
        }
    };
    take_sign(&mut s);
    let (prefix, prefix_space, rest) = strip_symbol(s, true).unwrap_or(("", None, s));
    s = rest;
    take_sign(&mut s); // "$-95.40"
    if negative.is_none()
        && let Some(r) = s.strip_suffix(['-', '−'])
    {
        negative = Some(Negative::TrailingMinus);
        s = r.trim_end();
    }
    let (suffix, suffix_space, rest) = strip_symbol(s, false).unwrap_or(("", None, s));
    s = rest;
    if negative.is_none()
        && let Some(r) = s.strip_suffix(['-', '−'])
    {
        negative = Some(Negative::TrailingMinus);
        s = r.trim_end();
    }
    if !prefix.is_empty() && !suffix.is_empty() && suffix != "%" {
        return None; // "$ 5 €": two currencies
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    // An exponent is a sign and one to three digits.
    if let Some(e) = exponent {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let m = mantissa.as_bytes();
    if m.is_empty() || !m[0].is_ascii_digit() || !m[m.len() - 1].is_ascii_digit() {
        return None;
    }
    // Separators: every non-digit position, which must be one of the known ones.
    // Separators: every non-digit position, which must be one of the known ones. On
    // the stack: this runs for every cell of a formatted column (the text is at most
    // 64 bytes, so at most 64 separators).
    let mut sep_buf = [(0usize, ' '); 64];
    let mut n_seps = 0;
    for (i, c) in mantissa.char_indices() {
        if !c.is_ascii_digit() {
            Grouping::of(c)?;
            sep_buf[n_seps] = (i, c);
            n_seps += 1;
        }
    }
    let seps = &sep_buf[..n_seps];
    let (mut decimal_at, mut grouping) = (None::<usize>, None::<char>);
    let mut decimal_comma = None;
    let mut ambiguous = false;
    match seps.last() {
        None => {}
        Some(&(last, c)) => {
            let same_as_last = seps.iter().filter(|(_, x)| *x == c).count();
            let after = mantissa.len() - last - c.len_utf8();
            if matches!(c, '.' | ',') && same_as_last == 1 {
                if seps.len() > 1 {
                    decimal_at = Some(last); // "1.234,56", "1 234,5"
                } else if after == 3 && last <= 3 && m[0] != b'0' {
                    ambiguous = true;
                    if (c == ',') == comma_is_decimal {
                        decimal_at = Some(last);
                    } else {
                        grouping = Some(c);
                    }
                } else {
                    decimal_at = Some(last);
                }
                if decimal_at.is_some() && !ambiguous {
                    decimal_comma = Some(c == ',');
                }
            }
            if decimal_at.is_none() {
                grouping = Some(c);
            }
        }
    }
    let int_end = decimal_at.unwrap_or(mantissa.len());
    // Grouping: one separator kind, groups of three after the first (1 to 3 digits).
    let group_seps = &seps[..seps.iter().take_while(|&&(i, _)| i < int_end).count()];
    if let Some(&(_, g)) = group_seps.first() {
        if group_seps.iter().any(|&(_, c)| c != g) {
            return None;
        }
        grouping = Some(g);
        let mut prev = 0usize;
        for (k, &(i, c)) in group_seps.iter().enumerate() {
            let len = i - prev;
            if (k == 0 && !(1..=3).contains(&len)) || (k > 0 && len != 3) {
                return None;
            }
            prev = i + c.len_utf8();
        }
        if int_end - prev != 3 {
            return None;
        }
        if decimal_at.is_none() && !ambiguous {
            decimal_comma = None;
        }
    }
    if exponent.is_some() && grouping.is_some() {
        return None;
    }
    let frac = decimal_at.map_or("", |d| &mantissa[d + 1..]);
    if frac.bytes().any(|b| !b.is_ascii_digit()) {
        return None;
    }
    // The number as Rust reads it, on the stack: sign, digits, point, fraction, exponent.
    let mut plain = [0u8; 80];
    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        plain[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    if negative.is_some() {
        push(b"-");
    }
    for &b in &m[..int_end] {
        if b.is_ascii_digit() {
            push(&[b]);
        }
    }
    if !frac.is_empty() {
        push(b".");
        push(frac.as_bytes());
    }
    if let Some(e) = exponent {
        push(b"e");
        push(e.as_bytes());
    }
    let value: f64 = std::str::from_utf8(&plain[..len]).ok()?.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    // A leading zero before more digits is a code (ZIP, ID), as for plain numbers.
    if m.len() > 1 && m[0] == b'0' && m[1].is_ascii_digit() {
        return None;
    }
    Some(Reading {
        value,
        decimals: frac.len().min(15) as u8,
        prefix,
        prefix_space,
        suffix,
        suffix_space,
        decimal_comma,
        grouping: grouping.and_then(Grouping::of),
        ambiguous,
        negative,
        plus,
        scientific: exponent.is_some(),
    })
}

impl NumberFormat {
    /// Plain: no symbols, a decimal point, no grouping, a minus.
    pub fn is_plain(&self) -> bool {
        *self == NumberFormat::default()
    }

    /// Writes `x` with `decimals` digits after the mark, as this format writes it.
    pub fn write(&self, x: f64, decimals: u8, out: &mut String) {
        let mut digits = String::with_capacity(24);
        if self.scientific && x != 0.0 && x.is_finite() {
            let s = format!("{:.*E}", usize::from(decimals.min(15)), x.abs());
            let (m, e) = s.split_once('E').unwrap_or((&s, "0"));
            let e: i32 = e.parse().unwrap_or(0);
            digits.push_str(m);
            digits.push('E');
            digits.push(if e < 0 { '-' } else { '+' });
            let _ = std::fmt::Write::write_fmt(&mut digits, format_args!("{:02}", e.abs()));
        } else {
            write_fixed(&mut digits, x, decimals);
        }
        let negative = digits.starts_with('-');
        let body = digits.trim_start_matches('-');
        if negative {
            match self.negative {
                Negative::Minus => out.push('-'),
                Negative::Parentheses => out.push('('),
                Negative::TrailingMinus => {}
            }
        } else if self.plus {
            out.push('+');
        }
        out.push_str(&self.prefix);
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        match self.grouping {
            Some(g) if !self.scientific => {
                let lead = int.len() % 3;
                for (i, c) in int.char_indices() {
                    if i > 0 && (i + 3 - lead) % 3 == 0 {
                        out.push(g.char());
                    }
                    out.push(c);
                }
            }
            _ => out.push_str(int),
        }
        if !frac.is_empty() {
            out.push(if self.decimal_comma { ',' } else { '.' });
            out.push_str(frac);
        }
        out.push_str(&self.suffix);
        if negative {
            match self.negative {
                Negative::Minus => {}
                Negative::Parentheses => out.push(')'),
                Negative::TrailingMinus => out.push('-'),
            }
        }
    }

    /// A percent column: the suffix is `%` (with or without its space).
    pub fn is_percent(&self) -> bool {
        self.suffix.trim_start_matches(is_affix_space) == "%"
    }

    /// The Excel number format code that shows numbers this way (`"$"#,##0.00`,
    /// `0.0%`). Excel codes always use `,` and `.`; Excel shows them in the reader's
    /// locale. A percent format expects the value divided by 100.
    pub fn excel_code(&self, decimals: u8) -> String {
        let mut body = String::from(if self.grouping.is_some() {
            "#,##0"
        } else {
            "0"
        });
        if decimals > 0 {
            body.push('.');
            (0..decimals.min(15)).for_each(|_| body.push('0'));
        }
        if self.scientific {
            body.push_str("E+00");
        }
        let quoted = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("\"{}\"", s.replace('"', ""))
            }
        };
        let suffix = if self.is_percent() {
            "%".to_string()
        } else {
            quoted(&self.suffix)
        };
        let positive = format!(
            "{}{}{}{suffix}",
            if self.plus { "+" } else { "" },
            quoted(&self.prefix),
            body
        );
        let core = format!("{}{body}{suffix}", quoted(&self.prefix));
        match self.negative {
            Negative::Minus if !self.plus => positive,
            Negative::Minus => format!("{positive};-{core}"),
            Negative::Parentheses => format!("{positive};({core})"),
            Negative::TrailingMinus => format!("{positive};{core}-"),
        }
    }

    /// One example in this format, for messages: `$1,234.56`.
    pub fn example(&self, decimals: u8) -> String {
        let mut s = String::new();
        self.write(1234.5678, decimals, &mut s);
        s
    }
}

/// A number format read from an Excel format code (`"$"#,##0.00;("$"#,##0.00)`,
/// `0.0%`, `#,##0.00 [$€-407]`): the format, its decimals, and whether it is a percent
/// (Excel stores 12.5 % as 0.125). `None` for General, text and date codes, and for
/// codes whose literal text is not a known symbol (it stays out of the profile).
pub fn from_excel_code(code: &str) -> Option<(NumberFormat, u8, bool)> {
    let mut sections = code.split(';');
    let first = sections.next()?;
    let negative = match sections.next() {
        Some(n) if n.contains('(') => Negative::Parentheses,
        Some(n) if n.trim_end().ends_with('-') => Negative::TrailingMinus,
        _ => Negative::Minus,
    };
    let (mut before, mut body, mut after) = (String::new(), String::new(), String::new());
    let mut chars = first.chars().peekable();
    let literal = |c: char, body: &String, before: &mut String, after: &mut String| {
        if body.is_empty() {
            before.push(c);
        } else {
            after.push(c);
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                    literal(q, &body, &mut before, &mut after);
                }
            }
            '\\' => {
                if let Some(q) = chars.next() {
                    literal(q, &body, &mut before, &mut after);
                }
            }
            '_' | '*' => {
                chars.next(); // padding and fill take the next character
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&q| q != ']').collect();
                if let Some(symbol) = inner.strip_prefix('$') {
                    let symbol = symbol.split('-').next().unwrap_or("");
                    symbol
                        .chars()
                        .for_each(|q| literal(q, &body, &mut before, &mut after));
                }
            }
            '0' | '#' | '?' | '.' | ',' if after.is_empty() => body.push(c),
            'E' | 'e' if !body.is_empty() => {
                body.push('E');
                while chars.peek().is_some_and(|q| matches!(q, '+' | '-' | '0')) {
                    chars.next();
                }
            }
            '@' => return None,
            c if c.is_ascii_alphabetic() => return None, // a date or time code
            c => literal(c, &body, &mut before, &mut after),
        }
    }
    if body.is_empty() {
        return None;
    }
    let percent = after.trim() == "%" || after.trim_start().starts_with('%');
    let decimals = body
        .split_once('.')
        .map_or(0, |(_, f)| {
            f.chars().filter(|c| matches!(c, '0' | '#' | '?')).count()
        })
        .min(15) as u8;
    let int = body.split('.').next().unwrap_or("");
    let format = NumberFormat {
        prefix: before.clone(),
        suffix: after.clone(),
        decimal_comma: false,
        grouping: int.contains(',').then_some(Grouping::Comma),
        negative,
        plus: false,
        scientific: body.contains('E'),
    };
    let known = |a: &str, prefix: bool| a.is_empty() || is_known_affix(a, prefix);
    if !known(&format.prefix, true) || !known(&format.suffix, false) {
        return None;
    }
    Some((format, decimals, percent))
}

/// An Excel date code (`dd.mm.yyyy hh:mm`, `m/d/yyyy`, `[$-409]mmm d, yyyy`) as a chrono
/// pattern (`%d.%m.%Y %H:%M`); `None` when it is no date code.
pub fn excel_date_pattern(code: &str) -> Option<String> {
    let code = code.split(';').next()?;
    let lower = code.to_ascii_lowercase();
    if !(lower.contains('y') || lower.contains('d') || lower.contains('h')) {
        return None;
    }
    let twelve = lower.contains("am/pm") || lower.contains("a/p");
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut last_was_hour = false;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..]
            .iter()
            .take_while(|&&x| x.eq_ignore_ascii_case(&c))
            .count();
        let lc = c.to_ascii_lowercase();
        match lc {
            'y' => out.push_str(if run >= 3 { "%Y" } else { "%y" }),
            'd' => out.push_str(match run {
                1 => "%-d",
                2 => "%d",
                3 => "%a",
                _ => "%A",
            }),
            'h' => out.push_str(match (twelve, run) {
                (true, 1) => "%-I",
                (true, _) => "%I",
                (false, 1) => "%-H",
                (false, _) => "%H",
            }),
            's' => out.push_str(if run == 1 { "%-S" } else { "%S" }),
            'm' => {
                // Minutes after an hour or before seconds; months otherwise.
                let next_is_seconds = chars[i + run..]
                    .iter()
                    .find(|x| x.is_ascii_alphabetic())
                    .is_some_and(|x| x.eq_ignore_ascii_case(&'s'));
                let minutes = (last_was_hour || next_is_seconds) && run <= 2;
                out.push_str(match (minutes, run) {
                    (true, 1) => "%-M",
                    (true, _) => "%M",
                    (false, 1) => "%-m",
                    (false, 2) => "%m",
                    (false, 3) => "%b",
                    (false, _) => "%B",
                });
            }
            'a' if lower[i..].starts_with("am/pm") => {
                out.push_str("%p");
                i += 5;
                last_was_hour = false;
                continue;
            }
            '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&x| x == '"')
                    .map_or(chars.len(), |p| i + 1 + p);
                out.extend(chars[i + 1..end].iter());
                i = end + 1;
                continue;
            }
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                }
                i += 2;
                continue;
            }
            '[' => {
                i += chars[i..]
                    .iter()
                    .position(|&x| x == ']')
                    .map_or(chars.len(), |p| p + 1);
                continue;
            }
            '.' if chars.get(i + 1) == Some(&'0') => {
                let zeros = chars[i + 1..].iter().take_while(|&&x| x == '0').count();
                out.push_str("%.");
                out.push_str(&zeros.min(9).to_string());
                out.push('f');
                i += 1 + zeros;
                continue;
            }
            _ if c.is_ascii_alphabetic() => return None,
            _ => (0..run).for_each(|_| out.push(c)),
        }
        if lc.is_ascii_alphabetic() {
            last_was_hour = lc == 'h';
        }
        i += run;
    }
    Some(out)
}

/// Writes `x` with exactly `d` decimals. Integer arithmetic when the scaled value fits
/// a double's exact range: `format!("{:.2}")` falls back to slow exact big-number
/// printing for many values, and this is the hot loop of CSV output (inlined into
/// the exporter across the crate boundary).
#[inline]
pub fn write_fixed(out: &mut String, x: f64, d: u8) {
    const POW10: [i64; 16] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
        1_000_000_000,
        10_000_000_000,
        100_000_000_000,
        1_000_000_000_000,
        10_000_000_000_000,
        100_000_000_000_000,
        1_000_000_000_000_000,
    ];
    let d = usize::from(d.min(15));
    let p = POW10[d];
    let scaled = crate::math::round(x * p as f64);
    if scaled.is_nan() || scaled.abs() >= 9.0e15 {
        let _ = std::fmt::Write::write_fmt(out, format_args!("{x:.d$}"));
        return;
    }
    let i = scaled as i64;
    if i < 0 {
        out.push('-');
    }
    let (int, frac) = (i.unsigned_abs() / p as u64, i.unsigned_abs() % p as u64);
    let mut digits = itoa::Buffer::new();
    out.push_str(digits.format(int));
    if d > 0 {
        out.push('.');
        let frac = digits.format(frac);
        (frac.len()..d).for_each(|_| out.push('0'));
        out.push_str(frac);
    }
}

/// The words a file writes for true and false, each pair as written (`Ja`/`Nein`).
pub const BOOLEAN_WORDS: [(&str, &str); 18] = [
    ("true", "false"),
    ("True", "False"),
    ("TRUE", "FALSE"),
    ("yes", "no"),
    ("Yes", "No"),
    ("YES", "NO"),
    ("y", "n"),
    ("Y", "N"),
    ("ja", "nein"),
    ("Ja", "Nein"),
    ("JA", "NEIN"),
    ("oui", "non"),
    ("Oui", "Non"),
    ("OUI", "NON"),
    ("t", "f"),
    ("T", "F"),
    ("wahr", "falsch"),
    ("WAHR", "FALSCH"),
];

/// The pair index and truth of a boolean word.
pub fn boolean_word(s: &str) -> Option<(usize, bool)> {
    let s = s.trim();
    BOOLEAN_WORDS.iter().enumerate().find_map(|(i, (t, f))| {
        if s == *t {
            Some((i, true))
        } else if s == *f {
            Some((i, false))
        } else {
            None
        }
    })
}

/// Spellings of a missing value (pandas' defaults less `-nan` and friends, plus the
/// dash and `#N/A` of spreadsheets). The empty string is the first.
pub const NULL_TOKENS: [&str; 18] = [
    "", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "null", "NULL", "Null", "None", "none",
    "#N/A", "<NA>", "NaT", "-", "N.A.",
];

/// The index in [`NULL_TOKENS`] of a missing-value spelling (surrounding spaces
/// ignored). Hot path: called for every field, so most fields leave at the first test.
pub fn null_token(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() > 4 && !b[0].is_ascii_whitespace() && !b[b.len() - 1].is_ascii_whitespace() {
        return None;
    }
    if b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let t = s.trim();
    NULL_TOKENS.iter().position(|&n| n == t)
}

/// How one column writes what is not a plain number or text: its number format,
/// boolean words and missing-value token. Empty for most columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Written {
    /// How numbers are shown; absent when plain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<NumberFormat>,
    /// The words for true and false (one pair of [`BOOLEAN_WORDS`]); absent for
    /// `true`/`false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booleans: Option<[String; 2]>,
    /// How a missing value is written (one of [`NULL_TOKENS`]); absent for empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null: Option<String>,
}

impl Written {
    /// Nothing beyond the defaults.
    pub fn is_plain(&self) -> bool {
        self.number.is_none() && self.booleans.is_none() && self.null.is_none()
    }

    /// Problems with pieces that are not from the closed lists, as messages.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(n) = &self.number {
            if !n.prefix.is_empty() && !is_known_affix(&n.prefix, true) {
                out.push(format!("unknown number prefix {:?}", n.prefix));
            }
            if !n.suffix.is_empty() && !is_known_affix(&n.suffix, false) {
                out.push(format!("unknown number suffix {:?}", n.suffix));
            }
        }
        if let Some([t, f]) = &self.booleans
            && !BOOLEAN_WORDS.contains(&(t.as_str(), f.as_str()))
        {
            out.push(format!("unknown boolean words {t:?}/{f:?}"));
        }
        if let Some(n) = &self.null
            && !NULL_TOKENS.contains(&n.as_str())
        {
            out.push(format!("unknown missing-value token {n:?}"));
        }
        out
    }
}

/// A delimited file's dialect: what CSV/TSV output copies from the input by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dialect {
    /// The field delimiter (`,` `;` `\t` `|`).
    pub delimiter: char,
    /// Lines end with CRLF (Windows) instead of LF.
    #[serde(default, skip_serializing_if = "is_false")]
    pub crlf: bool,
    /// The text encoding.
    #[serde(default, skip_serializing_if = "TextEncoding::is_utf8")]
    pub encoding: TextEncoding,
    /// The file starts with a byte order mark.
    #[serde(default, skip_serializing_if = "is_false")]
    pub bom: bool,
    /// Every text field is quoted, as some exporters write.
    #[serde(default, skip_serializing_if = "is_false")]
    pub quote_all: bool,
    /// The file has no header row.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_header: bool,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: ',',
            crlf: false,
            encoding: TextEncoding::Utf8,
            bom: false,
            quote_all: false,
            no_header: false,
        }
    }
}

impl Dialect {
    /// Delimiters a dialect may name (and the reader tries, in this order).
    pub const DELIMITERS: [char; 4] = [',', '\t', ';', '|'];

    /// A delimiter as a user names it: `,` `;` `|`, or a tab (`tab`, `\t`, or the
    /// character itself).
    pub fn delimiter_by_name(name: &str) -> Option<char> {
        let c = match name {
            "tab" | "\\t" => '\t',
            _ => {
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => c,
                    _ => return None,
                }
            }
        };
        Self::DELIMITERS.contains(&c).then_some(c)
    }
    /// The line ending.
    pub fn line_end(&self) -> &'static [u8] {
        if self.crlf { b"\r\n" } else { b"\n" }
    }
}

/// A text encoding for delimited output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8.
    #[default]
    Utf8,
    /// Windows-1252 (Latin-1), what older Excel saves as "CSV".
    Windows1252,
    /// UTF-16, little-endian (Excel's "Unicode text").
    Utf16le,
    /// UTF-16, big-endian.
    Utf16be,
}

impl TextEncoding {
    fn is_utf8(&self) -> bool {
        *self == TextEncoding::Utf8
    }

    /// The names [`TextEncoding::by_name`] takes, for messages.
    pub const NAMES: &'static str = "utf-8, utf-8-bom, windows-1252, utf-16le or utf-16be";

    /// An encoding by name, with whether a byte order mark starts the file (UTF-16
    /// always has one).
    pub fn by_name(name: &str) -> Option<(TextEncoding, bool)> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => (TextEncoding::Utf8, false),
            "utf-8-bom" | "utf8-bom" => (TextEncoding::Utf8, true),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" => (TextEncoding::Windows1252, false),
            "utf-16le" | "utf16le" => (TextEncoding::Utf16le, true),
            "utf-16be" | "utf16be" => (TextEncoding::Utf16be, true),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Reading {
        read_number(s, false).unwrap_or_else(|| panic!("{s} reads"))
    }

    #[test]
    fn business_numbers_read() {
        let r = read("$1,234.56");
        assert_eq!((r.value, r.decimals, r.prefix), (1234.56, 2, "$"));
        assert_eq!(r.grouping, Some(Grouping::Comma));
        assert_eq!(read("(149.68)").value, -149.68);
        assert_eq!(read("(149.68)").negative, Some(Negative::Parentheses));
        assert_eq!(read("149.68-").negative, Some(Negative::TrailingMinus));
        let de = read_number("1.234,56 €", true).unwrap();
        assert_eq!(
            (de.value, de.suffix, de.suffix_space),
            (1234.56, "€", Some(' '))
        );
        assert_eq!(de.decimal_comma, Some(true));
        assert_eq!(read_number("12,5 %", true).unwrap().value, 12.5);
        assert_eq!(read("1\u{202F}234,5").value, 1234.5);
        assert_eq!(read("1'234.56").grouping, Some(Grouping::Apostrophe));
        assert_eq!(read("CHF 95.40").prefix, "CHF");
        assert_eq!(read("+5").value, 5.0);
        assert!(read("+5").plus);
        assert_eq!(read("1.5E+03").value, 1500.0);
        assert_eq!(read("-$95.40").value, -95.4);
        assert_eq!(read("$-95.40").value, -95.4);
        // Ambiguous: one separator before three digits.
        assert_eq!(read_number("1.234", false).unwrap().value, 1.234);
        assert_eq!(read_number("1.234", true).unwrap().value, 1234.0);
        assert_eq!(read_number("1,234", false).unwrap().value, 1234.0);
        assert_eq!(read_number("1,234", true).unwrap().value, 1.234);
        for bad in [
            "USDA 5", "1,23,456", "12,34,5", "$", "1.2.3", "abc", "1,234,56", "$5€", "02134",
            "1 2", "(5", "5e", "--5",
        ] {
            assert!(read_number(bad, false).is_none(), "{bad}");
        }
    }

    #[test]
    fn written_back_as_read() {
        let cases = [
            ("$1,234.56", false),
            ("-$95.40", false),
            ("(149.68)", false),
            ("1.234,56 €", true),
            ("12,5 %", true),
            ("1 234,50", true),
            ("1'234.56", false),
            ("149.68-", false),
            ("+5.0", false),
            ("CHF 1'000.00", false),
            ("1.50E+03", false),
        ];
        for (text, comma) in cases {
            let r = read_number(text, comma).unwrap();
            let f = NumberFormat {
                prefix: format!(
                    "{}{}",
                    r.prefix,
                    r.prefix_space.map(String::from).unwrap_or_default()
                ),
                suffix: format!(
                    "{}{}",
                    r.suffix_space.map(String::from).unwrap_or_default(),
                    r.suffix
                ),
                decimal_comma: r.decimal_comma.unwrap_or(comma),
                grouping: r.grouping,
                negative: r.negative.unwrap_or_default(),
                plus: r.plus,
                scientific: r.scientific,
            };
            let mut out = String::new();
            f.write(r.value, r.decimals, &mut out);
            assert_eq!(out, text);
        }
    }

    #[test]
    fn excel_codes() {
        let usd = NumberFormat {
            prefix: "$".into(),
            grouping: Some(Grouping::Comma),
            negative: Negative::Parentheses,
            ..Default::default()
        };
        assert_eq!(usd.excel_code(2), "\"$\"#,##0.00;(\"$\"#,##0.00)");
        let pct = NumberFormat {
            suffix: "%".into(),
            ..Default::default()
        };
        assert_eq!(pct.excel_code(1), "0.0%");
    }

    #[test]
    fn excel_codes_read() {
        let (f, d, pct) = from_excel_code("\"$\"#,##0.00;(\"$\"#,##0.00)").unwrap();
        assert_eq!((f.prefix.as_str(), d, pct), ("$", 2, false));
        assert_eq!(
            (f.grouping, f.negative),
            (Some(Grouping::Comma), Negative::Parentheses)
        );
        let (f, d, pct) = from_excel_code("0.0%").unwrap();
        assert_eq!((f.suffix.as_str(), d, pct), ("%", 1, true));
        let (f, _, _) = from_excel_code("#,##0.00 [$€-407]").unwrap();
        assert_eq!(f.suffix, " €");
        assert!(from_excel_code("General").is_none());
        assert!(from_excel_code("dd.mm.yyyy").is_none());
        assert!(from_excel_code("0.00 \"Smith\"").is_none());
        assert_eq!(
            excel_date_pattern("dd.mm.yyyy").as_deref(),
            Some("%d.%m.%Y")
        );
        assert_eq!(
            excel_date_pattern("m/d/yyyy h:mm").as_deref(),
            Some("%-m/%-d/%Y %-H:%M")
        );
        assert_eq!(
            excel_date_pattern("yyyy-mm-dd hh:mm:ss").as_deref(),
            Some("%Y-%m-%d %H:%M:%S")
        );
        assert_eq!(excel_date_pattern("0.00"), None);
    }

    #[test]
    fn closed_lists() {
        assert!(is_known_affix("€ ", true));
        assert!(is_known_affix(" %", false));
        assert!(!is_known_affix("Smith ", true));
        assert!(!is_known_affix("%", true));
        assert_eq!(boolean_word(" Nein "), Some((9, false)));
        assert_eq!(null_token("#N/A"), Some(13));
        assert_eq!(null_token("1"), None);
    }
}

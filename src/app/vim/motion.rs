//! Vim's motions and text objects as pure functions of the lines and a cursor: where `w`, `e`,
//! `%`, `f` … land, and the range `iw`, `i"`, `i(`, `ip` … cover. Columns count characters.

/// A place in the text: line and character, both from 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub row: usize,
    pub col: usize,
}

impl Pos {
    pub const fn new(row: usize, col: usize) -> Self {
        Self { row, col }
    }
}

/// How an operator treats the span between the cursor and a motion's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Up to, not including, the end (`w`, `b`, `h`, `F`).
    Exclusive,
    /// Including the end's character (`e`, `$`, `f`, `t`, `%`).
    Inclusive,
    /// Whole lines (`j`, `k`, `gg`, `G`, `ip`).
    Linewise,
}

/// What kind of character, for word motions: words are runs of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Blank,
    Word,
    Punctuation,
}

fn class(c: char, big: bool) -> Class {
    if c.is_whitespace() {
        Class::Blank
    } else if big || c.is_alphanumeric() || c == '_' {
        Class::Word
    } else {
        Class::Punctuation
    }
}

/// The text as characters per line, which every motion walks.
pub struct Text {
    lines: Vec<Vec<char>>,
}

impl Text {
    pub fn new(lines: &[String]) -> Self {
        Self {
            lines: lines.iter().map(|l| l.chars().collect()).collect(),
        }
    }

    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    pub fn len(&self, row: usize) -> usize {
        self.lines.get(row).map_or(0, Vec::len)
    }

    /// Line `row`'s characters.
    pub fn chars(&self, row: usize) -> &[char] {
        self.lines.get(row).map_or(&[], Vec::as_slice)
    }

    /// The characters from `start` to `end` (exclusive), lines joined by newlines.
    pub fn slice(&self, start: Pos, end: Pos) -> String {
        let mut out = String::new();
        for row in start.row..=end.row {
            let from = if row == start.row { start.col } else { 0 };
            let to = if row == end.row {
                end.col
            } else {
                self.len(row)
            };
            if row > start.row {
                out.push('\n');
            }
            out.extend(
                self.chars(row)
                    .iter()
                    .skip(from)
                    .take(to.saturating_sub(from)),
            );
        }
        out
    }

    fn char_at(&self, p: Pos) -> Option<char> {
        self.lines.get(p.row)?.get(p.col).copied()
    }

    /// The last column the normal-mode cursor may rest on.
    pub fn last_col(&self, row: usize) -> usize {
        self.len(row).saturating_sub(1)
    }

    /// The character after `p`, crossing to the next line (a line end counts as a blank, an
    /// empty line as a word of its own).
    fn next(&self, p: Pos) -> Option<Pos> {
        if p.col + 1 < self.len(p.row) {
            Some(Pos::new(p.row, p.col + 1))
        } else if p.row + 1 < self.rows() {
            Some(Pos::new(p.row + 1, 0))
        } else {
            None
        }
    }

    fn previous(&self, p: Pos) -> Option<Pos> {
        if p.col > 0 {
            Some(Pos::new(p.row, (p.col - 1).min(self.last_col(p.row))))
        } else if p.row > 0 {
            Some(Pos::new(p.row - 1, self.last_col(p.row - 1)))
        } else {
            None
        }
    }

    fn class_at(&self, p: Pos, big: bool) -> Class {
        match self.char_at(p) {
            Some(c) => class(c, big),
            // An empty line stops word motions like a word does.
            None if self.len(p.row) == 0 => Class::Word,
            None => Class::Blank,
        }
    }

    /// `w` / `W`: the start of the next word.
    pub fn word_forward(&self, from: Pos, big: bool) -> Pos {
        let start = self.class_at(from, big);
        let mut p = from;
        // Leave the current word; the text's end stops after its last character.
        loop {
            let Some(n) = self.next(p) else {
                return Pos::new(p.row, self.len(p.row));
            };
            let crossed = n.row != p.row;
            p = n;
            if crossed || self.class_at(p, big) != start {
                break;
            }
        }
        // Skip blanks (an empty line is a stop).
        while self.class_at(p, big) == Class::Blank {
            match self.next(p) {
                Some(n) => p = n,
                None => return Pos::new(p.row, self.len(p.row)),
            }
        }
        p
    }

    /// `e` / `E`: the end of this word, or of the next one when already at an end.
    pub fn word_end(&self, from: Pos, big: bool) -> Pos {
        let Some(mut p) = self.next(from) else {
            return from;
        };
        while self.class_at(p, big) == Class::Blank || self.len(p.row) == 0 {
            match self.next(p) {
                Some(n) => p = n,
                None => return p,
            }
        }
        let class = self.class_at(p, big);
        while let Some(n) = self.next(p) {
            if n.row != p.row || self.class_at(n, big) != class {
                break;
            }
            p = n;
        }
        p
    }

    /// `b` / `B`: the start of this word, or of the previous one when already at a start.
    pub fn word_backward(&self, from: Pos, big: bool) -> Pos {
        let Some(mut p) = self.previous(from) else {
            return Pos::new(0, 0);
        };
        while self.class_at(p, big) == Class::Blank && self.len(p.row) > 0 {
            match self.previous(p) {
                Some(n) => p = n,
                None => return p,
            }
        }
        let class = self.class_at(p, big);
        while let Some(n) = self.previous(p) {
            if n.row != p.row || self.class_at(n, big) != class || self.len(p.row) == 0 {
                break;
            }
            p = n;
        }
        p
    }

    /// `^`: the first non-blank character.
    pub fn first_non_blank(&self, row: usize) -> Pos {
        let col = self
            .lines
            .get(row)
            .and_then(|l| l.iter().position(|c| !c.is_whitespace()))
            .unwrap_or(0);
        Pos::new(row, col)
    }

    /// `f` `t` (forward) and `F` `T` (backward) on the cursor's line: the character found,
    /// or the one before (after) it for `t` (`T`).
    pub fn find(&self, from: Pos, target: char, forward: bool, till: bool) -> Option<Pos> {
        let line = self.lines.get(from.row)?;
        let col = if forward {
            let start = from.col + 1;
            let found = start + line.get(start..)?.iter().position(|&c| c == target)?;
            if till { found - 1 } else { found }
        } else {
            let found = line.get(..from.col)?.iter().rposition(|&c| c == target)?;
            if till { found + 1 } else { found }
        };
        Some(Pos::new(from.row, col))
    }

    /// `%`: the bracket matching the first bracket at or after the cursor on its line.
    pub fn matching_bracket(&self, from: Pos) -> Option<Pos> {
        let line = self.lines.get(from.row)?;
        let col = from.col
            + line
                .get(from.col..)?
                .iter()
                .position(|c| "()[]{}".contains(*c))?;
        let open = line[col];
        let (pair, forward) = match open {
            '(' => (')', true),
            '[' => (']', true),
            '{' => ('}', true),
            ')' => ('(', false),
            ']' => ('[', false),
            _ => ('{', false),
        };
        let mut depth = 0usize;
        let mut p = Pos::new(from.row, col);
        loop {
            match self.char_at(p) {
                Some(c) if c == open => depth += 1,
                Some(c) if c == pair => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(p);
                    }
                }
                _ => {}
            }
            p = if forward {
                self.next(p)?
            } else {
                self.previous(p)?
            };
        }
    }

    /// `iw` / `aw`: the run of one class under the cursor; `aw` adds the blanks after it (or
    /// before it, when none follow). Inclusive ends.
    pub fn word_object(&self, at: Pos, around: bool) -> Option<(Pos, Pos)> {
        let line = self.lines.get(at.row)?;
        if line.is_empty() {
            return None;
        }
        let col = at.col.min(line.len() - 1);
        let kind = class(line[col], false);
        let same = |c: char| class(c, false) == kind;
        let start = line[..col]
            .iter()
            .rposition(|&c| !same(c))
            .map_or(0, |p| p + 1);
        let mut end = col
            + line[col..]
                .iter()
                .position(|&c| !same(c))
                .unwrap_or(line.len() - col)
            - 1;
        let mut start = start;
        if around && kind != Class::Blank {
            let blanks = line[end + 1..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
            if blanks > 0 {
                end += blanks;
            } else {
                start -= line[..start]
                    .iter()
                    .rev()
                    .take_while(|c| c.is_whitespace())
                    .count();
            }
        }
        Some((Pos::new(at.row, start), Pos::new(at.row, end)))
    }

    /// `i"` / `a"` (any quote): the quoted text around or after the cursor on its line.
    pub fn quote_object(&self, at: Pos, quote: char, around: bool) -> Option<(Pos, Pos)> {
        let line = self.lines.get(at.row)?;
        let quotes: Vec<usize> = (0..line.len()).filter(|&i| line[i] == quote).collect();
        let pair = quotes
            .chunks(2)
            .filter(|p| p.len() == 2)
            .find(|p| p[1] >= at.col)
            .map(|p| (p[0], p[1]))?;
        if around {
            Some((Pos::new(at.row, pair.0), Pos::new(at.row, pair.1)))
        } else if pair.1 == pair.0 + 1 {
            None // empty quotes: nothing inside
        } else {
            Some((Pos::new(at.row, pair.0 + 1), Pos::new(at.row, pair.1 - 1)))
        }
    }

    /// `i(` / `a(` (and `[`, `{`): the innermost pair enclosing the cursor, across lines.
    pub fn bracket_object(&self, at: Pos, open: char, around: bool) -> Option<(Pos, Pos)> {
        let close = match open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        // Walk back to the unmatched opening bracket.
        let mut depth = 0usize;
        let mut p = at;
        let start = loop {
            match self.char_at(p) {
                Some(c) if c == close && p != at => depth += 1,
                Some(c) if c == open => {
                    if depth == 0 {
                        break p;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            p = self.previous(p)?;
        };
        let end = self.matching_bracket(start)?;
        if around {
            return Some((start, end));
        }
        let inner_start = self.next(start)?;
        let inner_end = self.previous(end)?;
        (inner_start <= inner_end && inner_start != end).then_some((inner_start, inner_end))
    }

    /// `ip` / `ap`: the lines of the paragraph (or blank run) under the cursor; `ap` adds the
    /// blank lines after it.
    pub fn paragraph_object(&self, row: usize, around: bool) -> (usize, usize) {
        let blank = |r: usize| self.lines[r].iter().all(|c| c.is_whitespace());
        let kind = blank(row);
        let mut start = row;
        while start > 0 && blank(start - 1) == kind {
            start -= 1;
        }
        let mut end = row;
        while end + 1 < self.rows() && blank(end + 1) == kind {
            end += 1;
        }
        if around && !kind {
            while end + 1 < self.rows() && blank(end + 1) {
                end += 1;
            }
        }
        (start, end)
    }
}

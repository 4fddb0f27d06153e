//! Normal and visual commands: the grammar keys are parsed with (`[count] operator [count]
//! motion-or-object`, or a command of its own). What each command does is in `edit.rs`.

use ratatui_textarea::{Input, Key};

/// Where the cursor goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Motion {
    Left,
    Right,
    Up,
    Down,
    WordForward(bool),
    WordEnd(bool),
    WordBack(bool),
    LineStart,
    FirstNonBlank,
    LineEnd,
    /// `gg`: the first line, or line `count`.
    FirstLine,
    /// `G`: the last line, or line `count`.
    LastLine,
    Find {
        target: char,
        forward: bool,
        till: bool,
    },
    /// `;` (same direction) and `,` (reversed).
    RepeatFind {
        reverse: bool,
    },
    Bracket,
}

/// What an operator works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Motion(Motion),
    /// `iw`, `a"`, `i(`, `ip`: around or inside, and the object's key.
    Object {
        around: bool,
        kind: char,
    },
    /// The operator doubled (`dd`, `cc`, `yy`): whole lines.
    Lines,
}

/// A complete command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Move(Motion, Option<usize>),
    Operate {
        op: char,
        target: Target,
        count: Option<usize>,
    },
    /// `d`, `y`, `c`, `~` on the visual selection.
    OnSelection(char),
    Visual {
        linewise: bool,
    },
    SwapAnchor,
    Put {
        before: bool,
        count: usize,
    },
    Undo(usize),
    Redo(usize),
    Repeat(Option<usize>),
    Replace {
        with: char,
        count: usize,
    },
    Insert(char),
    ToggleCase(usize),
    Join(usize),
    Search,
    SearchAgain(bool),
    Ex,
}

impl Command {
    /// Whether the command edits the text (kept for `.`, one undo step).
    pub fn changes_text(self) -> bool {
        match self {
            Self::Operate { op, .. } | Self::OnSelection(op) => op != 'y',
            Self::Put { .. }
            | Self::Replace { .. }
            | Self::Insert(_)
            | Self::ToggleCase(_)
            | Self::Join(_) => true,
            _ => false,
        }
    }
}

/// The keys so far: a command, the start of one, or nothing vim knows.
pub enum Parsed {
    Complete(Command),
    Incomplete,
    Invalid,
}

/// Normal-mode keys as characters: arrows and Home/End read as the motions they are.
fn token(input: &Input) -> Option<char> {
    Some(match input.key {
        Key::Char('r') if input.ctrl => '\u{12}',
        Key::Char(_) if input.ctrl || input.alt => return None,
        Key::Char(c) => c,
        Key::Left | Key::Backspace => 'h',
        Key::Right => 'l',
        Key::Up => 'k',
        Key::Down | Key::Enter => 'j',
        Key::Home => '0',
        Key::End => '$',
        Key::Delete => 'x',
        _ => return None,
    })
}

/// Reads a count: digits not starting with 0.
fn count(keys: &[char]) -> (Option<usize>, &[char]) {
    let digits = keys
        .iter()
        .enumerate()
        .take_while(|(i, c)| c.is_ascii_digit() && (*i > 0 || **c != '0'))
        .count();
    let value = keys[..digits].iter().collect::<String>().parse().ok();
    (value, &keys[digits..])
}

/// Parses the pending keys.
pub fn parse(inputs: &[Input], visual: bool) -> Parsed {
    let Some(keys) = inputs.iter().map(token).collect::<Option<Vec<char>>>() else {
        return Parsed::Invalid;
    };
    let (n, rest) = count(&keys);
    let Some((&first, after)) = rest.split_first() else {
        return Parsed::Incomplete;
    };
    let times = n.unwrap_or(1);
    let done = Parsed::Complete;
    if visual {
        match first {
            'd' | 'x' | 'y' | 'c' | 's' | '~' => {
                let op = match first {
                    'x' => 'd',
                    's' => 'c',
                    other => other,
                };
                return done(Command::OnSelection(op));
            }
            'v' => return done(Command::Visual { linewise: false }),
            'V' => return done(Command::Visual { linewise: true }),
            'o' => return done(Command::SwapAnchor),
            _ => {}
        }
    }
    let operate = |op, motion| {
        done(Command::Operate {
            op,
            target: Target::Motion(motion),
            count: n,
        })
    };
    match first {
        'd' | 'c' | 'y' if !visual => operator(first, n, after),
        'x' => operate('d', Motion::Right),
        'X' => operate('d', Motion::Left),
        'D' => operate('d', Motion::LineEnd),
        'C' => operate('c', Motion::LineEnd),
        's' => operate('c', Motion::Right),
        'S' | 'Y' => done(Command::Operate {
            op: if first == 'S' { 'c' } else { 'y' },
            target: Target::Lines,
            count: n,
        }),
        'p' | 'P' => done(Command::Put {
            before: first == 'P',
            count: times,
        }),
        'u' => done(Command::Undo(times)),
        '\u{12}' => done(Command::Redo(times)),
        '.' => done(Command::Repeat(n)),
        'r' => match after.first() {
            None => Parsed::Incomplete,
            Some(&with) => done(Command::Replace { with, count: times }),
        },
        'i' | 'a' | 'I' | 'A' | 'o' | 'O' => done(Command::Insert(first)),
        '~' => done(Command::ToggleCase(times)),
        'J' => done(Command::Join(times)),
        'v' => done(Command::Visual { linewise: false }),
        'V' => done(Command::Visual { linewise: true }),
        '/' => done(Command::Search),
        'n' => done(Command::SearchAgain(true)),
        'N' => done(Command::SearchAgain(false)),
        ':' => done(Command::Ex),
        _ => match motion(first, after, n) {
            Ok(Some(m)) => done(Command::Move(m, n)),
            Ok(None) => Parsed::Incomplete,
            Err(()) => Parsed::Invalid,
        },
    }
}

/// After `d`, `c` or `y`: a count, then the operator again, a text object or a motion.
fn operator(op: char, outer: Option<usize>, keys: &[char]) -> Parsed {
    let (inner, rest) = count(keys);
    let count = match (outer, inner) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(1) * b.unwrap_or(1)),
    };
    let Some((&first, after)) = rest.split_first() else {
        return Parsed::Incomplete;
    };
    let target = if first == op {
        Target::Lines
    } else if first == 'i' || first == 'a' {
        match after.first() {
            None => return Parsed::Incomplete,
            Some(kind) if "wW\"'`()b[]{}Bp".contains(*kind) => Target::Object {
                around: first == 'a',
                kind: *kind,
            },
            Some(_) => return Parsed::Invalid,
        }
    } else {
        match motion(first, after, count) {
            Ok(Some(m)) => Target::Motion(m),
            Ok(None) => return Parsed::Incomplete,
            Err(()) => return Parsed::Invalid,
        }
    };
    Parsed::Complete(Command::Operate { op, target, count })
}

/// A motion's keys: `Ok(None)` when it needs another key (`g`, `f`).
fn motion(first: char, after: &[char], _count: Option<usize>) -> Result<Option<Motion>, ()> {
    Ok(Some(match first {
        'h' => Motion::Left,
        'l' | ' ' => Motion::Right,
        'k' => Motion::Up,
        'j' => Motion::Down,
        'w' | 'W' => Motion::WordForward(first == 'W'),
        'e' | 'E' => Motion::WordEnd(first == 'E'),
        'b' | 'B' => Motion::WordBack(first == 'B'),
        '0' => Motion::LineStart,
        '^' => Motion::FirstNonBlank,
        '$' => Motion::LineEnd,
        'G' => Motion::LastLine,
        '%' => Motion::Bracket,
        ';' => Motion::RepeatFind { reverse: false },
        ',' => Motion::RepeatFind { reverse: true },
        'g' => match after.first() {
            None => return Ok(None),
            Some('g') => Motion::FirstLine,
            Some(_) => return Err(()),
        },
        'f' | 't' | 'F' | 'T' => match after.first() {
            None => return Ok(None),
            Some(&target) => Motion::Find {
                target,
                forward: first.is_lowercase(),
                till: first.eq_ignore_ascii_case(&'t'),
            },
        },
        _ => return Err(()),
    }))
}

//! Advice for errors. The library says what happened and, as a [`Hint`], what the user can do;
//! this turns that into the words of this front end, naming its flags and commands.

use dsfetch::{Error, Hint};

/// The advice for `e`, in this tool's terms, if it has a hint.
pub fn advice(e: &Error) -> Option<&'static str> {
    let storage_full =
        matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::StorageFull);
    let denied = matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied);
    Some(match e.hint()? {
        Hint::ChooseOutput if storage_full => {
            "free some space or choose another folder with -o, then run again to resume"
        }
        Hint::ChooseOutput if denied => "choose a folder you can write to with -o",
        Hint::ChooseOutput => "choose another folder with -o",
        Hint::CheckCredentials => "check your credentials with `dsfetch auth --check`",
        Hint::ReplaceOrChooseOutput => {
            "use --force to replace it, or choose another folder with -o"
        }
        Hint::MoveAwayOrOverwrite => "move it away, or use --force to overwrite it",
        Hint::MoveAway => "move it away (or download into another folder with -o) and run again",
        Hint::UpdateLock => "update the lock by running without --locked",
        Hint::WriteLock => "run once without --locked to write it",
        Hint::RewriteLock => "delete it and run without --locked to write a fresh one",
        Hint::CheckPatterns => "check the --include / --exclude patterns",
        Hint::NameTheHub => "or use `dsfetch download kaggle|hf ID`",
        Hint::GiveOnlyOne => "give only one",
        _ => return None,
    })
}

/// The error as the user reads it: what happened, then what to do. For a message of several
/// lines (a manifest's problems), the advice goes on the first line.
pub fn message(e: &Error) -> String {
    let text = e.to_string();
    let Some(advice) = advice(e) else {
        return text;
    };
    match text.split_once('\n') {
        Some((first, rest)) => format!("{first}; {advice}\n{rest}"),
        None => format!("{text}; {advice}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_names_the_flags() {
        let e = Error::conflict("x holds y", Some(Hint::ReplaceOrChooseOutput));
        assert_eq!(
            message(&e),
            "x holds y; use --force to replace it, or choose another folder with -o"
        );
        let full = Error::io(
            "writing",
            "/d/f",
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert!(message(&full).ends_with("then run again to resume"));
        assert_eq!(message(&Error::usage("plain")), "plain");
    }
}

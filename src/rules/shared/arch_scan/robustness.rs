use super::*;

#[test]
/// Random shell-ish text: no panic, and every hit is a character range of its piece.
fn random_text_never_panics() {
    let alphabet: Vec<&str> = vec![
        "\\",
        "'",
        "\"",
        "$",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ";",
        "|",
        "&",
        "#",
        "\n",
        "é",
        " ",
        "amd64",
        "-",
        "_",
        ".",
        "/",
        "https://",
        "x86_64",
        "if",
        "fi",
        "case",
        "esac",
        "in",
        "then",
        "else",
        "elif",
        "=",
        "!=",
        "exit",
        "1",
        "0",
        "uname -m",
        "GOARCH=",
        "`",
        ">",
        "<",
        "tar.gz",
        "qemu-x86_64",
        "-march=native",
        "dpkg --add-architecture i386",
        ":i386",
        "apt-get install",
        "grep",
        "-q",
        "||",
        "&&",
        "!",
        "test",
        "\t",
        "\r",
        "ü",
        "€",
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..2_000 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 40) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        for syntax in [Syntax::DockerfileShell { escape: '\\' }, Syntax::Shell, Syntax::Plain] {
            for role in [Role::Build, Role::Command] {
                for h in scan(&[Piece { text: &s, syntax }], role) {
                    assert!(s.get(h.start..h.end).is_some(), "{s:?} {h:?}");
                }
            }
        }
    }
}

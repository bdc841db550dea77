//! The bad-input corpus (`tests/bad_inputs.txt`): every invocation fails with its exit code and
//! one error line naming the problem, prints nothing on stdout, and leaves its `--out` empty.
//! In-process, so an allocation abort or a panic would take the test binary down with it.
use crate::util::{entropic, temp_dir};

#[test]
fn every_bad_input_is_one_clear_line_and_leaves_nothing() {
    let corpus = include_str!("../bad_inputs.txt");
    let out = temp_dir("bad-corpus");
    std::fs::create_dir_all(&out).unwrap();
    let scratch = out.join("x");
    // Small datasets for the commands that read `lattice sample` output: {ising}, {xy},
    // {field} (Ising in a field h = 0.1) and {nnn} (Ising with J₂ = −0.25).
    let datasets: Vec<(&str, String)> = [
        ("ising", &["--model", "ising"][..]),
        ("xy", &["--model", "xy"]),
        ("field", &["--model", "ising", "--field", "0.1"]),
        ("nnn", &["--model", "ising", "--next-nearest", "-0.25"]),
    ]
    .into_iter()
    .map(|(name, model)| {
        let dir = out.join(name).to_str().unwrap().to_string();
        let args = ["-q", "--out", &dir, "lattice", "sample"];
        let sizes = ["--size", "4", "--temps", "2.0,3.0", "--samples", "20"];
        let (code, _, err) = entropic(&[&args[..], model, &sizes[..]].concat());
        assert_eq!(code, 0, "{err}");
        (name, dir)
    })
    .collect();
    // Fixture files: corpus lines "@ NAME | CONTENT" (\n for a newline), used as {@NAME}.
    let files: Vec<(String, std::path::PathBuf)> = corpus
        .lines()
        .filter_map(|l| l.strip_prefix("@ "))
        .map(|l| {
            let (name, content) = l.split_once(" | ").expect("@ NAME | CONTENT");
            let path = out.join(name);
            std::fs::write(&path, content.replace("\\n", "\n")).unwrap();
            (format!("{{@{name}}}"), path)
        })
        .collect();
    let mut cases = 0;
    for line in corpus
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("@ ") && !l.trim().is_empty())
    {
        let (code, rest) = line.split_once(" | ").expect("EXIT | TEXT | ARGS");
        let (needle, args) = rest.rsplit_once(" | ").expect("EXIT | TEXT | ARGS");
        let mut args = args.replace("{out}", scratch.to_str().unwrap());
        for (key, path) in &files {
            args = args.replace(key, path.to_str().unwrap());
        }
        for (name, dir) in &datasets {
            args = args.replace(&format!("{{{name}}}"), dir);
        }
        let mut argv = vec!["-q"];
        argv.extend(args.split_whitespace());
        let (got, stdout, err) = entropic(&argv);
        assert_eq!(got.to_string(), code, "{args}: exit {got}, {err}");
        assert!(stdout.is_empty(), "{args}: printed {stdout}");
        assert_eq!(err.lines().count(), 1, "{args}: {err}");
        assert!(err.starts_with("error"), "{args}: {err}");
        assert!(err.contains(needle), "{args}: '{err}' lacks '{needle}'");
        assert!(
            !scratch.exists() || std::fs::read_dir(&scratch).unwrap().next().is_none(),
            "{args}: left files in --out"
        );
        cases += 1;
    }
    assert!(cases >= 250, "the corpus shrank to {cases} cases");
    std::fs::remove_dir_all(&out).unwrap();
}

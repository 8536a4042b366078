//! Renders the specimen of every notice kind into a directory, to look at.
//!
//! `cargo run -p govhall-notices --example render_samples -- /tmp/notices`

use std::path::PathBuf;

use notices::{Fonts, Notice, NoticeKind, render_pdf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "notices".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    let started = std::time::Instant::now();
    let fonts = Fonts::system()?;
    println!(
        "fonts {:?} loaded in {:?}",
        fonts.families(),
        started.elapsed()
    );
    for kind in NoticeKind::ALL {
        let started = std::time::Instant::now();
        let pdf = render_pdf(&Notice::sample(kind), &fonts)?;
        let path = dir.join(format!("{}.pdf", kind.slug()));
        std::fs::write(&path, &pdf)?;
        println!(
            "{} ({} bytes) in {:?}",
            path.display(),
            pdf.len(),
            started.elapsed()
        );
    }
    Ok(())
}

fn main() {
    std::process::exit(edgelint::cli::run());
}

# Sourced by every function's build.sh (run from the function's directory): its pinned dependencies
# (requirements.txt) as wheels in vendor/, for the platform the program declares every function on
# (program/lambda_platform.py): python3.11 on x86_64, Amazon Linux 2 (glibc 2.26: manylinux2014 wheels).
# Wheels only, never compiled here. Offline renders and the tests do not need vendor/.

bundle_wheels() {
  rm -rf vendor
  "${PYTHON:-python3}" -m pip install --quiet --disable-pip-version-check --no-compile \
    --target vendor --implementation cp --python-version 3.11 \
    --platform manylinux2014_x86_64 --only-binary=:all: \
    -r requirements.txt
}

# No __pycache__ in the archived directory (it would change the code's hash), then what vendor/ holds.
bundle_done() {
  find . -name __pycache__ -type d -prune -exec rm -rf {} +
  echo "vendor/: $(du -sh vendor | cut -f1) ($(ls vendor | grep -vc dist-info) packages${1:+, $1})"
}

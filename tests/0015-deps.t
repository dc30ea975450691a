#!/bin/sh
# tests/setup-deps.sh, which make check, make demo and .ci/run share: the
# packages' presence is asked of dpkg-query (faked here, with id and
# apt-get, so that a missing package can be simulated on any machine).
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTDIR/.." && pwd)
F=$T/fake
mkdir -p "$F"
cat >"$F/dpkg-query" <<'X'
#!/bin/sh
for a; do p=$a; done
case " $MISSING " in
*" $p "*) echo "dpkg-query: no packages found matching $p" >&2; exit 1 ;;
esac
echo 'install ok installed'
X
printf '#!/bin/sh\necho "$FAKE_UID"\n' >"$F/id"
printf '#!/bin/sh\necho "$*" >>"$T/apt.log"\n' >"$F/apt-get"
chmod +x "$F"/*
export T
deps() { PATH=$F:$PATH sh "$top/tests/setup-deps.sh" "$@" >"$T/out" 2>"$T/err"; }

MISSING= FAKE_UID=1000 deps
check_same "all present: exit 0" 0 "$?"
check_same "all present: silent" "" "$(cat "$T/out" "$T/err")"

MISSING="librsvg2-bin socat" FAKE_UID=1000 deps
check_same "missing, not root: exit 69" 69 "$?"
check_same "missing, not root: the one apt-get line" \
    "apt-get install -y socat librsvg2-bin" "$(grep apt-get "$T/err")"
check "missing, not root: nothing installed" test ! -e "$T/apt.log"

MISSING="clang" FAKE_UID=1000 deps clang wrk
check_same "extra packages are checked too" "apt-get install -y clang" \
    "$(grep apt-get "$T/err")"

MISSING="libjq-dev mandoc" FAKE_UID=0 deps
check_same "missing, root: exit 0" 0 "$?"
check_same "missing, root: apt-get update, then install" \
    "update -qq
install -y -qq libjq-dev mandoc" "$(cat "$T/apt.log")"

# make check and make demo stop before building when packages are missing.
MISSING=postgresql FAKE_UID=1000 PATH=$F:$PATH make -C "$top" demo \
    >"$T/out" 2>"$T/err"
check "make demo stops" test "$?" -ne 0
check "make demo prints the apt-get line" grep -q \
    "^apt-get install -y postgresql$" "$T/err"
check "make demo did not start" sh -c "! grep -q 'co-migrate' '$T/out'"
check ".ci/run uses the same script" grep -q 'tests/setup-deps.sh' "$top/.ci/run"
done_testing

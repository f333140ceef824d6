# Sourced by test.sh: makes sure Chromium is installed for the web inbox's
# browser tests (e2e/web_test.go, driven from Go with chromedp), installing
# Debian's chromium package (announced, never silently) when it is missing,
# with a CJK font so the screenshots show Chinese text. Needs as_root from
# postgres.sh.

have_chromium() {
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
		command -v google-chrome >/dev/null 2>&1 || command -v google-chrome-stable >/dev/null 2>&1
}

have_cjk_font() {
	command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]
}

ensure_chromium() {
	local pkgs=()
	have_chromium || pkgs+=(chromium)
	have_cjk_font || pkgs+=(fonts-noto-cjk)
	if [ ${#pkgs[@]} -gt 0 ]; then
		echo "==> Chromium or a Chinese font not found: installing them with apt-get install -y --no-install-recommends ${pkgs[*]}"
		as_root apt-get update
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}"
	fi
}

/** The one stylesheet, served from /assets/style.css. */
export const STYLESHEET = `
:root{--fg:#1d2330;--muted:#5b6475;--bg:#fff;--line:#d9dde5;--accent:#1a56db;--bad:#b42318;--ok:#067647;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0;line-height:1.5}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.75rem 1.5rem;border-bottom:1px solid var(--line)}
header nav{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
.brand{font-weight:700;font-size:1.2rem;text-decoration:none;color:var(--fg)}
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem 3rem}
footer{border-top:1px solid var(--line);padding:1rem 1.5rem;color:var(--muted)}
a{color:var(--accent)}
.field{margin:0 0 1rem}
label{display:block;font-weight:600}
small{display:block;color:var(--muted)}
input[type=text],input[type=email],input[type=password],input[type=url],input[type=number],select,textarea{width:100%;max-width:36rem;padding:.45rem;border:1px solid var(--line);border-radius:4px;font:inherit;box-sizing:border-box}
textarea{font-family:ui-monospace,monospace;font-size:.9rem}
.has-error input,.has-error textarea{border-color:var(--bad)}
.error{color:var(--bad);margin:.25rem 0}
.flash{background:#eef4ff;border:1px solid #c7d7fe;padding:.6rem .8rem;border-radius:4px}
.secret{font-family:ui-monospace,monospace;background:#fffbe6;border:1px solid #f5d90a;padding:.6rem;word-break:break-all}
button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.danger{background:var(--bad);border-color:var(--bad)}
button.link{background:none;border:none;color:var(--accent);padding:0;text-decoration:underline}
form.inline{display:inline}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
.status-ok,.status-sent{color:var(--ok)}.status-behind,.status-retrying,.status-pending{color:#b54708}.status-halted,.status-failed,.status-disabled{color:var(--bad)}
code,pre{font-family:ui-monospace,monospace;font-size:.9rem}pre{background:#f6f8fa;padding:.75rem;overflow:auto}
.warn{color:#b54708}
.untrusted{border:2px solid var(--bad);background:#fef3f2;color:var(--bad);padding:.6rem .8rem;border-radius:4px}
.notice-problem{border:2px solid var(--bad);background:#fef3f2;padding:.1rem .8rem;border-radius:4px;margin-bottom:.6rem}
.untrusted-badge,.chain-invalid{color:var(--bad)}.chain-valid{color:var(--ok)}.chain-unknown{color:var(--muted)}
fieldset{border:1px solid var(--line);border-radius:4px;margin:0 0 1rem}
`;

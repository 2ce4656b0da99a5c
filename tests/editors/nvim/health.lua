-- Neovim test of `:checkhealth chant` (editors/nvim/lua/chant/health.lua): from a spec with the
-- server attached every check is OK; with chant-lsp and chant gone from PATH and a markdown file
-- outside any project, the same checks report the error and the warnings.
--
-- Run by tests/editors/run.sh as
--   nvim --headless -u NONE -i NONE -n -c 'luafile health.lua'
-- with the environment of e2e.lua (CHANT_TEST_ROOT, CHANT_TEST_OUTSIDE, CHANT_TEST_STYLE,
-- CHANT_TEST_EDITORS_NVIM, CHANT_TEST_HERE), CHANT_TEST_BIN (the folder on PATH holding chant-lsp
-- and the fake chant) and CHANT_TEST_VERSION (Cargo.toml's version). Prints one JSON line on
-- stdout; exits 0 when every check passed, 1 when one failed, 2 when the harness broke.

local env = vim.env
local ROOT = env.CHANT_TEST_ROOT
local STYLE = env.CHANT_TEST_STYLE
local BIN = env.CHANT_TEST_BIN
local VERSION = env.CHANT_TEST_VERSION
local SPEC = ROOT .. '/.chant/specs/2026-11-05-001-u4x.md'

local v = vim.version()
local result = { ok = false, nvim_version = ('%d.%d.%d'):format(v.major, v.minor, v.patch), style = STYLE, failures = {} }

local function fail(msg)
  error(msg, 0)
end

--- Runs :checkhealth chant and returns its report as { level, text } entries ("OK", "WARNING",
--- "ERROR", "INFO"), whatever the version's markup ("- OK: x" on 0.7, "- ✅ OK x" on 0.11).
local function checkhealth()
  vim.cmd('checkhealth chant')
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local entries = {}
  for _, line in ipairs(lines) do
    local level, text = line:match('^%s*%- [^%w]*(%u+):?%s+(.*)$')
    if level == 'OK' or level == 'WARNING' or level == 'WARN' or level == 'ERROR' or level == 'INFO' then
      table.insert(entries, { level = level == 'WARN' and 'WARNING' or level, text = text })
    end
  end
  -- Back to the buffer :checkhealth was started from.
  vim.cmd('silent! tabclose')
  return entries, lines
end

local function expect_entry(entries, lines, level, needle)
  for _, e in ipairs(entries) do
    if e.level == level and e.text:find(needle, 1, true) then
      return e.text
    end
  end
  fail(('no %s line containing "%s" in:\n%s'):format(level, needle, table.concat(lines, '\n')))
end

local function no_level(entries, lines, level)
  for _, e in ipairs(entries) do
    if e.level == level then
      fail(('unexpected %s: %s\n%s'):format(level, e.text, table.concat(lines, '\n')))
    end
  end
end

local function main()
  vim.cmd('filetype on')
  dofile(env.CHANT_TEST_HERE .. '/init_' .. STYLE .. '.lua')
  vim.cmd('edit ' .. vim.fn.fnameescape(SPEC))
  local buf = vim.api.nvim_get_current_buf()
  local attached = vim.wait(15000, function()
    return #require('chant').clients(buf) > 0 and require('chant').clients(buf)[1].initialized ~= false
  end, 20)
  if not attached then
    fail('no chant_lsp client attached to the spec within 15 s')
  end
  -- server_info arrives with the initialize result.
  vim.wait(5000, function()
    local c = require('chant').clients(buf)[1]
    return c and c.server_capabilities ~= nil
  end, 20)

  -- 1. Everything in place: OK lines only.
  local entries, lines = checkhealth()
  result.good = entries
  expect_entry(entries, lines, 'OK', 'found ' .. BIN .. '/chant-lsp ')
  expect_entry(entries, lines, 'OK', ('chant-lsp %s (follows chant v'):format(VERSION))
  if vim.fn.has('nvim-0.11') == 1 and STYLE == 'modern' then
    expect_entry(entries, lines, 'OK', ("Neovim %s: vim.lsp.enable('chant_lsp') with "):format(result.nvim_version))
    expect_entry(entries, lines, 'OK', "vim.lsp.enable('chant_lsp') was called")
  elseif vim.fn.has('nvim-0.11') == 1 then
    expect_entry(entries, lines, 'OK', "require('chant').start() started the server")
  else
    expect_entry(entries, lines, 'OK', ("Neovim %s: require('chant').start(bufnr)"):format(result.nvim_version))
  end
  expect_entry(entries, lines, 'OK', 'is inside the chant project ' .. ROOT)
  expect_entry(entries, lines, 'OK', 'chant_lsp client')
  expect_entry(entries, lines, 'OK', 'chant is ' .. BIN .. '/chant')
  no_level(entries, lines, 'ERROR')
  no_level(entries, lines, 'WARNING')
  if vim.api.nvim_get_current_buf() ~= buf then
    fail('closing the health tab did not return to the spec')
  end

  -- 2. chant-lsp and chant gone from PATH, a buffer outside any project.
  local path = {}
  for _, dir in ipairs(vim.split(env.PATH, ':', true)) do
    if dir ~= BIN and vim.fn.executable(dir .. '/chant-lsp') == 0 then
      table.insert(path, dir)
    end
  end
  vim.env.PATH = table.concat(path, ':')
  vim.cmd('edit ' .. vim.fn.fnameescape(env.CHANT_TEST_OUTSIDE))
  entries, lines = checkhealth()
  result.bad = entries
  expect_entry(entries, lines, 'ERROR', 'chant-lsp (from ')
  expect_entry(entries, lines, 'WARNING', 'is not inside a chant project')
  expect_entry(entries, lines, 'WARNING', 'chant is not on PATH')
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  table.insert(result.failures, tostring(err))
end
result.ok = ok
io.stdout:write(vim.json.encode(result) .. '\n')
io.stdout:flush()
vim.cmd(ok and 'qall!' or 'cquit 1')

-- :checkhealth chant — is chant-lsp found and which version, which setup path this Neovim uses,
-- whether the buffer you came from is inside a chant project (and has a client), and whether the
-- chant program that runs specs is on PATH. Works on Neovim 0.7 and later.

local M = {}

local chant = require('chant')

-- vim.health.start/ok/warn/error/info on 0.10+; require('health').report_* on 0.7-0.9.
local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error_ = health.error or health.report_error
local info = health.info or health.report_info

local has_011 = vim.fn.has('nvim-0.11') == 1

--- The config vim.lsp.enable uses on 0.11+ (lsp/chant_lsp.lua merged with vim.lsp.config), or nil.
local function lsp_config()
  if not has_011 or not vim.lsp.config then
    return nil
  end
  local okay, config = pcall(function()
    return vim.lsp.config[chant.name]
  end)
  return okay and config or nil
end

--- The buffer :checkhealth was started from: the health buffer itself is current while checks run.
local function user_buffer()
  local function usable(b)
    return b and b > 0 and vim.api.nvim_buf_is_valid(b) and vim.bo[b].buftype == '' and vim.api.nvim_buf_get_name(b) ~= ''
  end
  local cur = vim.api.nvim_get_current_buf()
  if usable(cur) then
    return cur
  end
  local alt = vim.fn.bufnr('#')
  if usable(alt) then
    return alt
  end
  -- :checkhealth opens a tab: the previous tab's window holds the buffer.
  local prev = vim.fn.tabpagenr('#')
  if prev > 0 then
    local b = vim.fn.tabpagebuflist(prev)[vim.fn.tabpagewinnr(prev)]
    if usable(b) then
      return b
    end
  end
  return nil
end

--- Runs argv and returns its first output line, or nil and why not; waits at most timeout_ms.
local function first_line(argv, timeout_ms)
  local out = {}
  local okay, job = pcall(vim.fn.jobstart, argv, {
    stdout_buffered = true,
    on_stdout = function(_, data)
      out = data or {}
    end,
  })
  if not okay or job <= 0 then
    return nil, 'could not be started'
  end
  local status = vim.fn.jobwait({ job }, timeout_ms)[1]
  if status == -1 then
    vim.fn.jobstop(job)
    return nil, ('did not answer within %d ms'):format(timeout_ms)
  end
  -- on_stdout (buffered) runs from the event loop: let it deliver.
  vim.wait(1000, function()
    return #out > 0
  end, 10)
  if status ~= 0 then
    return nil, ('exited with %d'):format(status)
  end
  return out[1] ~= '' and out[1] or nil, 'printed nothing'
end

--- The command that starts the server: a running client's, else the configured one.
local function server_cmd(bufnr, config)
  local client = bufnr and chant.clients(bufnr)[1]
  if client and type(client.config.cmd) == 'table' then
    return client.config.cmd, 'the running client'
  end
  if chant.started then -- the 0.7-0.10 path is in use (also on 0.11+)
    if chant.cmd then
      return chant.cmd, "require('chant').start(bufnr, { cmd = ... })"
    end
    return { 'chant-lsp' }, "require('chant').start's default"
  end
  if config and config.cmd then
    return config.cmd, "vim.lsp.config('chant_lsp')"
  end
  return { 'chant-lsp' }, 'the default'
end

local function check_server(bufnr, config)
  start('chant-lsp (the language server)')
  local cmd, from = server_cmd(bufnr, config)
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    info(('the server command from %s is a function: not checked'):format(from))
    return
  end
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    error_(('%s (from %s) was not found'):format(cmd[1], from), {
      'Install it: "cargo install --path ." in a chant-lsp checkout puts chant-lsp in ~/.cargo/bin (have that on PATH)',
      "or name the binary: vim.lsp.config('chant_lsp', { cmd = { '/path/to/chant-lsp' } }) on 0.11+,"
        .. " require('chant').start(bufnr, { cmd = { '/path/to/chant-lsp' } }) before",
    })
    return
  end
  ok(('found %s (command %s, from %s)'):format(exe, cmd[1], from))
  local line, why = first_line({ exe, '--version' }, 5000)
  if line and line:match('^chant%-lsp %d') then
    ok(line)
  elseif line then
    warn(('%s --version printed "%s", not a chant-lsp version'):format(exe, line))
  else
    error_(('%s --version %s'):format(exe, why))
  end
end

local function check_setup(config)
  start('Neovim and the setup path')
  local v = vim.version()
  local version = ('%d.%d.%d'):format(v.major, v.minor, v.patch)
  if has_011 then
    local file = vim.api.nvim_get_runtime_file('lsp/chant_lsp.lua', false)[1]
    if file then
      ok(('Neovim %s: vim.lsp.enable(\'chant_lsp\') with %s'):format(version, file))
    else
      warn(('Neovim %s: lsp/chant_lsp.lua is not on \'runtimepath\''):format(version), {
        'put editors/nvim on runtimepath (a plugin manager, or vim.opt.runtimepath:append(...))',
      })
    end
    local enabled
    if vim.lsp.is_enabled then
      enabled = vim.lsp.is_enabled(chant.name)
    elseif type(vim.lsp._enabled_configs) == 'table' then
      enabled = vim.lsp._enabled_configs[chant.name] ~= nil
    end
    if enabled == true then
      ok("vim.lsp.enable('chant_lsp') was called")
    elseif enabled == false then
      if chant.started then
        ok("require('chant').start() started the server (the 0.7-0.10 path, which also works here)")
      else
        warn("vim.lsp.enable('chant_lsp') was not called", { "add vim.lsp.enable('chant_lsp') to your config" })
      end
    end
    if config and config.root_dir == nil and config.root_markers == nil then
      warn('the chant_lsp config has neither root_dir nor root_markers')
    end
  else
    local path = v.minor >= 8 and 'vim.lsp.start' or 'vim.lsp.start_client'
    ok(("Neovim %s: require('chant').start(bufnr) from a FileType autocmd (%s)"):format(version, path))
    if not chant.started then
      warn("require('chant').start() has not started a server in this session", {
        "add the FileType autocmd of editors/nvim/README.md (Neovim 0.7 to 0.10) and open a spec",
      })
    end
  end
end

local function check_buffer(bufnr)
  start('the current buffer')
  if not bufnr then
    info('no file buffer to check: run :checkhealth chant from a spec')
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = chant.root(bufnr)
  if not root then
    warn(('%s is not inside a chant project (no directory above it holds a .chant folder)'):format(name))
    return
  end
  ok(('%s is inside the chant project %s'):format(name, root))
  local client = chant.clients(bufnr)[1]
  if client then
    local server = client.server_info
    local version = server and server.version and (' (' .. (server.name or 'chant-lsp') .. ' ' .. server.version .. ')') or ''
    ok(('chant_lsp client %d is attached%s'):format(client.id, version))
  else
    warn('no chant_lsp client is attached to this buffer', { 'see the setup section above and :LspLog' })
  end
end

local function check_chant(config)
  start('chant (runs specs: :ChantWork, run lenses and actions)')
  local settings = config and config.settings and config.settings.chant
  local name = (type(settings) == 'table' and type(settings.executable) == 'string' and settings.executable) or 'chant'
  local exe = vim.fn.exepath(name)
  if exe ~= '' then
    ok(('%s is %s'):format(name, exe))
  else
    warn(('%s is not on PATH: the server checks specs but cannot run them'):format(name), {
      'install chant, or set settings.chant.executable to its path',
    })
  end
end

function M.check()
  local bufnr = user_buffer()
  local config = lsp_config()
  check_server(bufnr, config)
  check_setup(config)
  check_buffer(bufnr)
  check_chant(config)
end

return M

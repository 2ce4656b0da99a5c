-- chant for Neovim: user commands that ask chant-lsp to run, stop or show the log of the spec in
-- the current buffer, and (for Neovim 0.7-0.10) a way to start the server for chant projects.
-- Works on Neovim 0.7 and later. On 0.11+ the server itself is configured by lsp/chant_lsp.lua.
--
--   require('chant').setup()        -- :ChantWork, :ChantStop, :ChantLog, :ChantWhichSpec, :ChantGraph [format],
--                                      :ChantSpecs, :ChantReady
--   require('chant').start(bufnr)   -- 0.7-0.10: start/attach chant-lsp if bufnr is in a chant project
--
-- Code lenses (on specs, and on the first line of any project file naming the specs that change
-- or read it) are refreshed by M.codelens, which both setups call when the client attaches.

local M = {}

--- The client name: the same as the 0.11 config name (lsp/chant_lsp.lua).
M.name = 'chant_lsp'

local uv = vim.uv or vim.loop
local has_011 = vim.fn.has('nvim-0.11') == 1

--- The chant_lsp clients attached to a buffer.
function M.clients(bufnr)
  if vim.lsp.get_clients then -- 0.10+
    return vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  end
  local found = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == M.name then
      table.insert(found, client)
    end
  end
  return found
end

--- The project root of a buffer: the nearest directory above its file that holds `.chant/`.
function M.root(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or vim.bo[bufnr].buftype ~= '' or name:match('^%a[%w+.-]*://') then
    return nil
  end
  local dir = vim.fn.fnamemodify(name, ':p:h')
  while dir and dir ~= '' do
    local stat = uv.fs_stat(dir .. '/.chant')
    if stat and stat.type == 'directory' then
      return dir
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

local lens_groups = {} -- bufnr -> augroup id

--- Shows the client's code lenses in `bufnr` and keeps them current: now, and on BufEnter,
--- InsertLeave and BufWritePost (the server also asks for a refresh when specs change).
function M.codelens(client, bufnr)
  local caps = client.server_capabilities or {}
  if not caps.codeLensProvider or lens_groups[bufnr] then
    return
  end
  local group = vim.api.nvim_create_augroup('chant_codelens_' .. bufnr, { clear = true })
  lens_groups[bufnr] = group
  local function refresh()
    if has_011 then
      vim.lsp.codelens.refresh({ bufnr = bufnr })
    else
      vim.lsp.codelens.refresh()
    end
  end
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
    group = group,
    buffer = bufnr,
    callback = refresh,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = bufnr,
    callback = function()
      lens_groups[bufnr] = nil
      pcall(vim.api.nvim_del_augroup_by_id, group)
    end,
  })
  refresh()
end

local started_by_root = {} -- 0.7 only: root -> client id

--- Set by start() (for :checkhealth chant): whether it started a client, and with which opts.cmd.
M.started = false
M.cmd = nil

--- Starts chant-lsp for a buffer inside a chant project (or attaches the running client) and
--- does nothing elsewhere. For Neovim 0.7-0.10; on 0.11+ use vim.lsp.enable('chant_lsp').
--- opts: cmd (default { 'chant-lsp' }), settings (the table sent as workspace configuration,
--- e.g. { chant = { archived = true } }). Call it for every buffer (any filetype): with
--- settings.chant.sourceFiles.enabled false it attaches to markdown files only.
function M.start(bufnr, opts)
  opts = opts or {}
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = M.root(bufnr)
  if not root then
    return nil
  end
  local chant = (opts.settings or {}).chant or {}
  if (chant.sourceFiles or {}).enabled == false and vim.bo[bufnr].filetype ~= 'markdown' then
    return nil
  end
  M.started = true
  M.cmd = opts.cmd
  local config = {
    name = M.name,
    cmd = opts.cmd or { 'chant-lsp' },
    root_dir = root,
    settings = opts.settings,
    on_attach = function(client, b)
      M.codelens(client, b)
    end,
  }
  if vim.lsp.start then -- 0.8+: reuses the client with the same name and root
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = started_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(config)
    started_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

local function request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end
M.request = request

--- Sends `workspace/executeCommand` with the buffer's URI (and `extra` arguments) to the
--- attached chant_lsp client. A plain request (not client:exec_cmd) so that it works on every
--- version and for commands the server does not advertise; an error is shown with vim.notify.
function M.execute(command, bufnr, extra)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.clients(bufnr)[1]
  if not client then
    vim.notify(
      'chant: chant-lsp is not attached to this buffer (open a spec inside a project that has a .chant folder)',
      vim.log.levels.WARN
    )
    return false
  end
  local arguments = { vim.uri_from_bufnr(bufnr) }
  for _, a in ipairs(extra or {}) do
    table.insert(arguments, a)
  end
  local params = { command = command, arguments = arguments }
  local ok = request(client, 'workspace/executeCommand', params, function(err)
    -- The server shows its own messages (a refusal, the outcome of a run).
    if err then
      vim.notify(('chant: %s failed: %s'):format(command, err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
  end, bufnr)
  if not ok then
    vim.notify(('chant: could not send %s: the server has stopped'):format(command), vim.log.levels.ERROR)
  end
  return ok
end

--- Defines :ChantWork, :ChantStop, :ChantLog, :ChantWhichSpec (the cursor's line), :ChantGraph
--- (chant/graph.lua), and :ChantSpecs and :ChantReady (chant/specs.lua).
function M.setup()
  local commands = {
    ChantWork = { 'chant.run', 'chant: run this spec (chant work)' },
    ChantStop = { 'chant.stop', "chant: stop this spec's run" },
    ChantLog = { 'chant.showLog', "chant: show this spec's run log" },
    ChantWhichSpec = { 'chant.specOfLine', 'chant: which spec wrote this line (blame)', true },
  }
  for name, c in pairs(commands) do
    vim.api.nvim_create_user_command(name, function()
      local extra = c[3] and { vim.api.nvim_win_get_cursor(0)[1] - 1 } or nil
      M.execute(c[1], 0, extra)
    end, { desc = c[2] })
  end
  vim.api.nvim_create_user_command('ChantGraph', function(o)
    require('chant.graph').show(o.args, 0)
  end, {
    nargs = '?',
    complete = function()
      return require('chant.graph').formats
    end,
    desc = 'chant: the dependency graph (svg, mermaid, dot or json)',
  })
  require('chant.specs').setup()
end

return M

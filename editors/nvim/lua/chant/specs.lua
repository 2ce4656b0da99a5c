-- chant specs in the quickfix list: `:ChantSpecs` lists every spec of the project grouped as the
-- server's `chant-lsp/specs` answer groups them (Ready first, in the order `chant work --chain`
-- would take them; then Running, Blocked with what blocks it, Pending, Failed, Paused, Needs
-- attention, In progress without a live run, Completed, Cancelled); `:ChantReady` lists only the
-- ready queue. Works on Neovim 0.7 and later.

local M = {}

local chant = require('chant')
local has_011 = vim.fn.has('nvim-0.11') == 1

--- A chant_lsp client: the one attached to the buffer, else any running one.
local function client_for(bufnr)
  local attached = chant.clients(bufnr)[1]
  if attached then
    return attached, true
  end
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ name = chant.name }) or vim.lsp.get_active_clients()
  for _, c in ipairs(all) do
    if c.name == chant.name then
      return c, false
    end
  end
  return nil, false
end

--- Asks the server for the specs view: of the buffer's project when chant_lsp is attached to it,
--- else of every project the client knows. Calls `callback(projects)` (nil on an error).
function M.fetch(bufnr, callback)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client, attached = client_for(bufnr)
  if not client then
    vim.notify('chant: chant-lsp is not running (open a spec inside a chant project first)', vim.log.levels.WARN)
    return false
  end
  local params = attached and { uri = vim.uri_from_bufnr(bufnr) } or vim.empty_dict()
  local handler = function(err, result)
    if err or type(result) ~= 'table' then
      vim.notify(('chant: chant-lsp/specs failed: %s'):format(err and (err.message or vim.inspect(err)) or 'no answer'),
        vim.log.levels.ERROR)
      callback(nil)
      return
    end
    callback(result.projects or {})
  end
  if has_011 then
    return client:request('chant-lsp/specs', params, handler, bufnr)
  end
  return client.request('chant-lsp/specs', params, handler, bufnr)
end

local function entry(project, several, label, item)
  local text = ('[%s] %s %s'):format(label, item.shortId, item.title ~= vim.NIL and item.title or item.id)
  if item.reason then
    text = text .. ' — ' .. item.reason
  end
  if several then
    text = project.name .. ': ' .. text
  end
  return { filename = vim.uri_to_fname(item.uri), lnum = 1, col = 1, text = text }
end

--- Quickfix items for `projects`: every section in the server's order, or (`ready_only`) the
--- ready queue alone, numbered.
function M.items(projects, ready_only)
  local out = {}
  local several = #projects > 1
  for _, project in ipairs(projects) do
    if ready_only then
      local by_id = {}
      for _, section in ipairs(project.sections) do
        if section.kind == 'ready' then
          for _, item in ipairs(section.items) do
            by_id[item.id] = item
          end
        end
      end
      for n, id in ipairs(project.ready) do
        if by_id[id] then
          table.insert(out, entry(project, several, ('Ready %d/%d'):format(n, #project.ready), by_id[id]))
        end
      end
      if #project.ready == 0 and project.queueNote then
        vim.notify('chant: ' .. project.queueNote, vim.log.levels.WARN)
      end
    else
      for _, section in ipairs(project.sections) do
        for _, item in ipairs(section.items) do
          table.insert(out, entry(project, several, section.label, item))
        end
      end
    end
  end
  return out
end

--- Fills the quickfix list (and opens it) with the specs or the ready queue.
function M.quickfix(ready_only, bufnr)
  return M.fetch(bufnr, function(projects)
    if not projects then
      return
    end
    local title = ready_only and 'chant: ready queue' or 'chant: specs'
    vim.fn.setqflist({}, ' ', { title = title, items = M.items(projects, ready_only) })
    vim.cmd('copen')
  end)
end

--- Defines :ChantSpecs and :ChantReady.
function M.setup()
  vim.api.nvim_create_user_command('ChantSpecs', function()
    M.quickfix(false, 0)
  end, { desc = 'chant: every spec in the quickfix list, grouped by state (ready queue first)' })
  vim.api.nvim_create_user_command('ChantReady', function()
    M.quickfix(true, 0)
  end, { desc = 'chant: the ready queue in the quickfix list, in chant work --chain order' })
end

return M

-- :ChantGraph: the dependency graph of the current buffer's chant project, drawn by chant-lsp (the
-- `chant-lsp/graph` request). `:ChantGraph` (svg) writes the SVG to a temporary file and opens it
-- with vim.ui.open (Neovim 0.10+; before that it says where the file is); `:ChantGraph mermaid`
-- (or dot, json) opens the text in a scratch buffer. Works on Neovim 0.7 and later.

local M = {}

M.formats = { 'svg', 'mermaid', 'dot', 'json' }

local extension = { svg = 'svg', dot = 'dot', mermaid = 'mmd', json = 'json' }
local filetype = { dot = 'dot', mermaid = 'mermaid', json = 'json' }

--- Opens text in a new scratch buffer in a split; returns the buffer.
local function scratch(text, format)
  vim.cmd('new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(text, '\n', { plain = true, trimempty = true }))
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = filetype[format] or ''
  pcall(vim.api.nvim_buf_set_name, buf, ('chant-graph-%d.%s'):format(buf, extension[format] or 'txt'))
  return buf
end

--- Writes an SVG (or the DOT that came instead) to a temporary file and opens it.
local function open_file(text, format)
  local path = vim.fn.tempname() .. '.' .. (extension[format] or 'txt')
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
  if vim.ui.open and format == 'svg' then -- 0.10+
    local _, err = vim.ui.open(path)
    if err then
      vim.notify(('chant: could not open %s: %s'):format(path, err), vim.log.levels.WARN)
    end
  else
    vim.notify(('chant: dependency graph written to %s'):format(path), vim.log.levels.INFO)
  end
  return path
end

--- Asks the server for the graph of the project holding bufnr and shows it. `format`: svg (the
--- default), mermaid, dot or json. `done(result)`, if given, is called with the server's answer.
function M.show(format, bufnr, done)
  local chant = require('chant')
  format = (format == nil or format == '') and 'svg' or format
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not extension[format] then
    vim.notify(('chant: unknown format %s (use svg, mermaid, dot or json)'):format(format), vim.log.levels.ERROR)
    return false
  end
  local client = chant.clients(bufnr)[1]
  if not client then
    vim.notify('chant: chant-lsp is not attached to this buffer (open a spec of a chant project)', vim.log.levels.WARN)
    return false
  end
  local params = { uri = vim.uri_from_bufnr(bufnr), format = format }
  return chant.request(client, 'chant-lsp/graph', params, function(err, result)
    if err or not result then
      vim.notify(('chant: the graph failed: %s'):format(err and err.message or 'no answer'), vim.log.levels.ERROR)
      return
    end
    if result.message and result.message ~= vim.NIL then
      vim.notify('chant: ' .. result.message, vim.log.levels.WARN)
    end
    if result.text ~= '' then
      if result.format == 'svg' or format == 'svg' then
        result.path = open_file(result.text, result.format)
      else
        result.buf = scratch(result.text, result.format)
      end
    end
    if done then
      done(result)
    end
  end, bufnr)
end

return M

---@brief
--- chant-lsp: diagnostics, hover, go to definition, completion and more for chant spec projects
--- (markdown specs with YAML frontmatter in `.chant/specs/`).
---
--- Install the `chant-lsp` binary (`cargo install --path .` in a chant-lsp checkout) so that it
--- is on PATH, then, on Neovim 0.11+:
---
--- ```lua
--- vim.lsp.enable('chant_lsp')
--- ```
---
--- The server starts only for files inside a project, that is below a directory that holds a
--- `.chant` folder; files elsewhere get no client. Specs get everything; any other file of the
--- project (any filetype) gets code lenses on its first line naming the specs that change or
--- read it, and those specs with `vim.lsp.buf.references()` there. With
--- `sourceFiles = { enabled = false }` only specs and other markdown files get the client.
--- Code lenses are refreshed on BufEnter, InsertLeave and BufWritePost (and when the server asks).
---
--- Settings go in the `chant` section, for example
--- `settings = { chant = { diagnostics = { disabled = { 'model-waste' } } } }`
--- (keys: diagnostics.select, diagnostics.ignore, diagnostics.disabled, diagnostics.severity,
--- archived, executable, startWatch, logLevel, sourceFiles.enabled, sourceFiles.blame). `select`
--- and `ignore` replace those of the project's `chant-lsp.toml`. `sourceFiles.blame` makes a hover
--- on a line of a project file name the spec whose commit last changed it; `:ChantWhichSpec`
--- (from `require('chant').setup()`) asks the same for the cursor's line either way.

---@type vim.lsp.Config
return {
  cmd = { 'chant-lsp' },
  -- No `filetypes`: every filetype, so that source files of a project get their lenses.
  root_dir = function(bufnr, on_dir)
    -- Only inside a chant project (a directory holding a `.chant` directory; a file named
    -- `.chant` does not count): without a root the client is not started at all.
    if vim.bo[bufnr].buftype ~= '' or vim.api.nvim_buf_get_name(bufnr) == '' then
      return
    end
    local config = vim.lsp.config.chant_lsp or {}
    local chant = (config.settings or {}).chant or {}
    local source_files = (chant.sourceFiles or {}).enabled ~= false
    if not source_files and vim.bo[bufnr].filetype ~= 'markdown' then
      return
    end
    local root = vim.fs.root(bufnr, function(name, path)
      return name == '.chant' and vim.fn.isdirectory(path .. '/' .. name) == 1
    end)
    if root then
      on_dir(root)
    end
  end,
  on_attach = function(client, bufnr)
    require('chant').codelens(client, bufnr)
  end,
}

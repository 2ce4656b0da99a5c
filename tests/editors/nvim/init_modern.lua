-- Neovim 0.11+ setup, as in editors/nvim/README.md ("Neovim 0.11 and later"), with the plugin
-- directory on 'runtimepath' the way a plugin manager puts it there.
vim.opt.runtimepath:prepend(vim.env.CHANT_TEST_EDITORS_NVIM)

vim.lsp.enable('chant_lsp')
require('chant').setup()

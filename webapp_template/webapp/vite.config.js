import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// One classic script, bundle.js, with its CSS inside (src/main.jsx adds it to the page): the
// file Mephisto's static_react_task blueprint serves (task_source), next to an index.html for
// every other host. base './' keeps every URL relative, so the page works under any path.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: false,
    rollupOptions: {
      output: { format: 'iife', entryFileNames: 'bundle.js' },
    },
  },
})

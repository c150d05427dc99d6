/**
 * How the page root carries the colour scheme: a class on <html> ("light" /
 * "dark"), set before the first paint by `InitColorSchemeScript` (root
 * layout) from the stored choice or `prefers-color-scheme`, so a dark-mode
 * user never sees a light flash. `ColorModeToggle` changes it (system /
 * light / dark, remembered in localStorage under MUI's `mui-mode` key).
 * Shared by the theme (client) and the root layout (server), so no "use client".
 */
export const COLOR_SCHEME_ATTRIBUTE = "class";

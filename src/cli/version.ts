/** The CLI's version (package.json's), shown by --version and in reports. */
export const VERSION = '0.1.0';

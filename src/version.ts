/** Version of this tool, recorded in every results document. */
export const VERSION = '0.1.0';

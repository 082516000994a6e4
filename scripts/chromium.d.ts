export declare const CHROMIUM_PATH: string;
export declare function chromiumPath(): string;
export declare function chromiumArgs(opts?: { webgpu?: boolean }): string[];

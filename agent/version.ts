// The agent's version, printed in every TAP header (kept equal to package.json's by a test).
export const AGENT_VERSION = '0.1.0'

/** Local ESLint plugin: project-specific rules, used from eslint.config.js as `local/<rule>`. */
import layering from './layering.js';

export default {
  meta: { name: 'eslint-plugin-local' },
  rules: { layering },
};

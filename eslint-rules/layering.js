/**
 * `local/layering`: import layering between the process folders (STYLE.md (c), ARCHITECTURE.md
 * "Processes"). Every import — static, `export … from`, dynamic `import()`, `require()`,
 * TypeScript `import x = require()` and `typeof import()` types, type-only imports included — is
 * classified, relative paths first resolved to the real file they name, and checked against the
 * table in POLICIES below.
 *
 *   src/shared/**         imports only src/shared; no Node built-ins, no Electron, no DOM packages
 *   src/renderer/**       never src/main/** or src/preload/**; no Node built-ins, no Electron
 *   src/preload/**        only src/shared/** (and itself) and `electron`
 *   src/main/crypto/**    pure: only itself and src/shared; of Node only `node:crypto`
 *   src/main/protocol/**  pure: only itself, src/main/crypto and src/shared; no Node at all
 *   src/main/node/**      never the peer (bus, ipc, files, control-plane client, profile), preload,
 *                         renderer, Electron
 *   src/main/** (rest)    never src/renderer/** or src/preload/**
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.map((name) => name.split('/')[0]));
/** Packages that only make sense with a DOM. */
const DOM_PACKAGES = new Set(['react-dom']);
const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts'];
const JS_EXTENSIONS = ['.js', '.jsx', '.mjs', '.cjs'];
const RESOLVE_EXTENSIONS = [...TS_EXTENSIONS, ...JS_EXTENSIONS, '.json'];

/**
 * Layers, most specific prefix first. For each: `allow` (local imports must land under one of
 * these prefixes) or `deny` (local imports must not land under any of these), which Node built-ins
 * are allowed (`'*'` = all), whether `electron` and DOM-only packages are allowed, and whether
 * npm packages are allowed at all.
 */
export const POLICIES = [
  {
    layer: 'src/main/crypto',
    why: 'pure crypto does no I/O and depends only on src/shared',
    allow: ['src/main/crypto', 'src/shared'],
    node: ['crypto'],
    electron: false,
    dom: false,
    packages: true,
  },
  {
    layer: 'src/main/protocol',
    why: 'the protocol code is pure: it may use src/main/crypto and src/shared only',
    allow: ['src/main/protocol', 'src/main/crypto', 'src/shared'],
    node: [],
    electron: false,
    dom: false,
    packages: true,
  },
  {
    layer: 'src/main/node',
    why: 'the embedded node never depends on the peer (bus, ipc), the preload or the renderer, and runs without Electron',
    deny: [
      'src/main/bus',
      'src/main/ipc',
      'src/main/files',
      'src/main/control-plane',
      'src/main/profile',
      'src/preload',
      'src/renderer',
    ],
    node: '*',
    electron: false,
    dom: false,
    packages: true,
  },
  {
    layer: 'src/main',
    why: 'main-process code never depends on the renderer or the preload',
    deny: ['src/renderer', 'src/preload'],
    node: '*',
    electron: true,
    dom: true,
    packages: true,
  },
  {
    layer: 'src/preload',
    why: 'the sandboxed preload may use only src/shared and electron',
    allow: ['src/preload', 'src/shared'],
    node: [],
    electron: true,
    dom: false,
    packages: false,
  },
  {
    layer: 'src/renderer',
    why: 'the renderer talks to main only through the contract in src/shared',
    deny: ['src/main', 'src/preload'],
    node: [],
    electron: false,
    dom: true,
    packages: true,
  },
  {
    layer: 'src/shared',
    why: 'src/shared is process-neutral: no Electron, Node or DOM, nothing outside itself',
    allow: ['src/shared'],
    node: [],
    electron: false,
    dom: false,
    packages: true,
  },
];

function toPosix(p) {
  return p.split(path.sep).join('/');
}

/** Real path of `p`: the longest existing ancestor is resolved through symlinks, the rest appended. */
function realPath(p) {
  const missing = [];
  let current = path.resolve(p);
  for (;;) {
    if (existsSync(current)) {
      try {
        return path.join(realpathSync.native(current), ...missing.reverse());
      } catch {
        return path.join(current, ...missing.reverse());
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return path.join(current, ...missing.reverse());
    missing.push(path.basename(current));
    current = parent;
  }
}

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file a relative or absolute specifier names, as bundlers and TypeScript resolve it. */
export function resolveLocalImport(fromFile, specifier) {
  const clean = specifier.replace(/[?#].*$/, '');
  const base = path.resolve(path.dirname(fromFile), clean);
  const candidates = [base];
  const ext = path.extname(base);
  if (JS_EXTENSIONS.includes(ext)) {
    // TypeScript lets `./x.js` name `./x.ts`.
    const stem = base.slice(0, -ext.length);
    for (const tsExt of TS_EXTENSIONS) candidates.push(stem + tsExt);
  }
  for (const e of RESOLVE_EXTENSIONS) candidates.push(base + e);
  for (const e of RESOLVE_EXTENSIONS) candidates.push(path.join(base, 'index' + e));
  const found = candidates.find(isFile);
  return realPath(found ?? base);
}

/** Project-relative posix path, or null when outside the project. */
function projectPath(root, absolute) {
  const rel = toPosix(path.relative(root, absolute));
  if (rel === '' || rel.startsWith('../') || rel === '..' || path.isAbsolute(rel)) return null;
  return rel;
}

function policyFor(relFile) {
  return POLICIES.find((p) => relFile === p.layer || relFile.startsWith(p.layer + '/')) ?? null;
}

/** Classify a bare specifier: Node built-in, Electron, DOM-only package or other package. */
export function classifyBare(specifier) {
  if (specifier.startsWith('node:')) {
    return { kind: 'node', module: specifier.slice(5).split('/')[0] };
  }
  const first = specifier.split('/')[0];
  if (first === 'electron') return { kind: 'electron' };
  if (NODE_BUILTINS.has(first)) return { kind: 'node', module: first };
  const pkg = first.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : first;
  if (DOM_PACKAGES.has(pkg)) return { kind: 'dom', pkg };
  return { kind: 'package', pkg };
}

function isLocal(specifier) {
  return (
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier === '.' ||
    specifier === '..' ||
    path.isAbsolute(specifier)
  );
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: {
      description: 'Enforce the import layering between shared, main, preload and renderer code',
    },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' } },
        additionalProperties: false,
      },
    ],
    messages: {
      localImport: "{{layer}} may not import '{{source}}' (resolves to {{target}}): {{why}}.",
      nodeBuiltin: "{{layer}} may not import the Node built-in '{{source}}'{{allowed}}: {{why}}.",
      electron: "{{layer}} may not import '{{source}}': {{why}}.",
      domPackage: "{{layer}} may not import the DOM-only package '{{source}}': {{why}}.",
      package: "{{layer}} may not import the package '{{source}}': {{why}}.",
      dynamic:
        '{{layer}} may not use import()/require() with a computed specifier: the layering cannot be checked.',
    },
  },

  create(context) {
    const options = context.options[0] ?? {};
    const root = realPath(options.root ?? context.cwd);
    const filename = realPath(context.physicalFilename ?? context.filename);
    const relFile = projectPath(root, filename);
    if (relFile === null) return {};
    const policy = policyFor(relFile);
    if (policy === null) return {};
    const data = { layer: policy.layer, why: policy.why };

    function check(node, specifier) {
      const source = specifier;
      if (isLocal(specifier)) {
        const target = resolveLocalImport(filename, specifier);
        const relTarget = projectPath(root, target);
        const display = relTarget ?? toPosix(target);
        const within = (prefixes) =>
          relTarget !== null &&
          prefixes.some((p) => relTarget === p || relTarget.startsWith(p + '/'));
        const bad = policy.allow ? !within(policy.allow) : within(policy.deny);
        if (bad) {
          context.report({
            node,
            messageId: 'localImport',
            data: { ...data, source, target: display },
          });
        }
        return;
      }
      const kind = classifyBare(specifier);
      if (kind.kind === 'node') {
        const ok = policy.node === '*' || policy.node.includes(kind.module);
        if (!ok) {
          const allowed =
            policy.node.length > 0
              ? ` (only ${policy.node.map((m) => `node:${m}`).join(', ')})`
              : '';
          context.report({ node, messageId: 'nodeBuiltin', data: { ...data, source, allowed } });
        }
      } else if (kind.kind === 'electron') {
        if (!policy.electron)
          context.report({ node, messageId: 'electron', data: { ...data, source } });
      } else if (kind.kind === 'dom' && !policy.dom) {
        context.report({ node, messageId: 'domPackage', data: { ...data, source } });
      } else if (!policy.packages) {
        context.report({ node, messageId: 'package', data: { ...data, source } });
      }
    }

    /** Check a specifier node: a string literal, a constant template, or (reported) anything else. */
    function checkSpecifierNode(reportNode, specNode) {
      if (!specNode) return;
      if (specNode.type === 'Literal' && typeof specNode.value === 'string') {
        check(reportNode, specNode.value);
      } else if (specNode.type === 'TemplateLiteral' && specNode.expressions.length === 0) {
        check(reportNode, specNode.quasis[0].value.cooked);
      } else if (specNode.type === 'TSLiteralType') {
        checkSpecifierNode(reportNode, specNode.literal);
      } else if (policy.allow) {
        // Restricted layers (allow-lists) may not hide an import behind a computed string.
        context.report({ node: reportNode, messageId: 'dynamic', data });
      }
    }

    return {
      ImportDeclaration(node) {
        checkSpecifierNode(node, node.source);
      },
      ExportNamedDeclaration(node) {
        if (node.source) checkSpecifierNode(node, node.source);
      },
      ExportAllDeclaration(node) {
        checkSpecifierNode(node, node.source);
      },
      ImportExpression(node) {
        checkSpecifierNode(node, node.source);
      },
      CallExpression(node) {
        const callee = node.callee;
        const isRequire =
          (callee.type === 'Identifier' && callee.name === 'require') ||
          (callee.type === 'MemberExpression' &&
            callee.object.type === 'Identifier' &&
            callee.object.name === 'require' &&
            callee.property.type === 'Identifier' &&
            callee.property.name === 'resolve') ||
          (callee.type === 'MemberExpression' &&
            callee.object.type === 'Identifier' &&
            callee.object.name === 'module' &&
            callee.property.type === 'Identifier' &&
            callee.property.name === 'require');
        if (isRequire && node.arguments.length > 0) checkSpecifierNode(node, node.arguments[0]);
      },
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') {
          checkSpecifierNode(node, node.moduleReference.expression);
        }
      },
      TSImportType(node) {
        checkSpecifierNode(node, node.argument);
      },
    };
  },
};

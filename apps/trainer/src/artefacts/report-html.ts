import { escapeXml as esc, type Scene, sceneToSvg } from "@tensorplug/plots";
import type { EpochResult } from "@tensorplug/softmax";
import type { TestScore } from "../scoring.js";

/** What the report shows about the run. */
export interface ReportInput {
  readonly createdAt: Date;
  readonly version: string;
  readonly backend: {
    readonly requested: string;
    readonly from: string;
    readonly name: string;
    readonly mode: string;
  };
  readonly settings: {
    readonly epochs: number;
    readonly batchSize: number;
    readonly lr: number;
    readonly seed: number;
  };
  readonly data: {
    readonly dir: string;
    readonly source: string;
    readonly trainCount: number;
    readonly testCount: number;
  };
  readonly timings: {
    readonly loadSeconds: number;
    readonly backendSeconds: number;
    readonly trainSeconds: number;
  };
  readonly history: readonly EpochResult[];
  readonly score: TestScore;
  readonly curves: Scene;
  readonly predictionsPng: Uint8Array;
  readonly weightsPng: Uint8Array;
  readonly files: readonly string[];
}

const f4 = (v: number) => v.toFixed(4);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const dataUri = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString("base64")}`;

function table(head: readonly string[], rows: readonly (readonly string[])[], className = ""): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table${className ? ` class="${className}"` : ""}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The confusion matrix with each cell shaded by its share of the true class's images. */
function confusionTable(score: TestScore): string {
  const names = score.perClass.map((c) => c.name);
  const head = `<tr><th class="corner">true \\ predicted</th>${names.map((n) => `<th class="rot"><span>${esc(n)}</span></th>`).join("")}<th>accuracy</th></tr>`;
  const rows = score.confusion.map((counts, t) => {
    const total = score.perClass[t]!.count || 1;
    const cells = counts.map((n, p) => {
      const share = n / total;
      const hue = t === p ? "34, 139, 34" : "214, 39, 40";
      const alpha = n === 0 ? 0 : Math.max(0.06, Math.min(1, t === p ? share : share * 4));
      return `<td style="background: rgba(${hue}, ${alpha.toFixed(3)})" title="${esc(names[t]!)} predicted as ${esc(names[p]!)}: ${n}">${n}</td>`;
    });
    return `<tr><th>${esc(names[t]!)}</th>${cells.join("")}<td class="acc">${pct(score.perClass[t]!.accuracy)}</td></tr>`;
  });
  return `<table class="confusion"><thead>${head}</thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222; margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.lead { color: #555; margin-top: 0; } .big { font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; margin: 0.5rem 0; } th, td { padding: 0.25rem 0.6rem; border: 1px solid #e2e2e2; text-align: right; }
th { background: #f6f6f6; } td:first-child, th:first-child { text-align: left; }
table.kv td:first-child { color: #555; } table.kv td { text-align: left; }
table.confusion td { min-width: 2.6rem; text-align: center; font-variant-numeric: tabular-nums; }
table.confusion th.rot { height: 6.5rem; vertical-align: bottom; padding: 0.2rem; }
table.confusion th.rot span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.confusion td.acc { font-weight: 600; background: #fafafa; }
img, svg { max-width: 100%; height: auto; } figure { margin: 1rem 0; } figcaption { color: #555; font-size: 0.9rem; }
code { background: #f3f3f3; padding: 0 0.25rem; border-radius: 3px; }
`;

/**
 * report.html: one page that needs nothing else: styles inline, the curves as inline SVG, the
 * pictures as data: URIs, and no link, script or font from anywhere.
 */
export function reportHtml(input: ReportInput): string {
  const { backend, settings, data, timings, history, score } = input;
  const last = history[history.length - 1];
  const ran = backend.mode === backend.name ? backend.name : `${backend.name} (${backend.mode})`;
  const perEpoch = history.length ? timings.trainSeconds / history.length : 0;
  const config = table(
    ["setting", "value"],
    [
      ["backend that ran", `<b>${esc(ran)}</b>`],
      ["backend asked for", `${esc(backend.requested)} (from ${esc(backend.from)})`],
      ["epochs", String(settings.epochs)],
      ["batch size", String(settings.batchSize)],
      ["learning rate", String(settings.lr)],
      ["seed", String(settings.seed)],
      [
        "data",
        `<code>${esc(data.dir)}</code> (${esc(data.source)}): ${data.trainCount} train, ${data.testCount} test images`,
      ],
      [
        "tensorplug",
        `${esc(input.version)} on Node ${esc(process.versions.node)}, ${esc(process.platform)}/${esc(process.arch)}`,
      ],
      ["written", esc(input.createdAt.toISOString())],
    ],
    "kv",
  );
  const timing = table(
    ["step", "seconds"],
    [
      ["load data", timings.loadSeconds.toFixed(2)],
      ["start backend", timings.backendSeconds.toFixed(2)],
      [`train ${history.length} epochs (with test each epoch)`, timings.trainSeconds.toFixed(2)],
      ["per epoch, mean", perEpoch.toFixed(2)],
    ],
  );
  const epochs = table(
    ["epoch", "train loss", "train acc", "test loss", "test acc", "seconds"],
    history.map((r) => [
      String(r.epoch),
      f4(r.trainLoss),
      f4(r.trainAccuracy),
      f4(r.testLoss),
      f4(r.testAccuracy),
      r.seconds.toFixed(2),
    ]),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tensorplug run: ${esc(ran)}, test acc ${last ? f4(last.testAccuracy) : "-"}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Softmax regression on Fashion-MNIST</h1>
<p class="lead">tensorplug run of ${esc(input.createdAt.toISOString())} on <b>${esc(ran)}</b></p>
<p class="big">test accuracy ${last ? f4(last.testAccuracy) : "-"} &middot; train accuracy ${last ? f4(last.trainAccuracy) : "-"} &middot; train loss ${last ? f4(last.trainLoss) : "-"}</p>
<h2>Configuration</h2>
${config}
<h2>Timings</h2>
${timing}
<h2>Training curves</h2>
<figure>
${sceneToSvg(input.curves, { standalone: false })}
<figcaption>Train loss, train accuracy and test accuracy after each epoch, as the book plots them.</figcaption>
</figure>
${epochs}
<h2>Predictions</h2>
<figure><img alt="the first test images with true and predicted labels" src="${dataUri(input.predictionsPng)}"></figure>
<h2>Weights</h2>
<figure><img alt="the ten weight images, one per class" src="${dataUri(input.weightsPng)}"></figure>
<h2>Confusion matrix of the test set</h2>
<p>${score.correct} of ${score.count} test images right (${pct(score.accuracy)}); rows are the true class, columns the predicted one.</p>
${confusionTable(score)}
<h2>Files in this folder</h2>
<p>${input.files.map((f) => `<code>${esc(f)}</code>`).join(" ")}</p>
</body>
</html>
`;
}

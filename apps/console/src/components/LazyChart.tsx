// The chart wrapper loaded on demand: a page's figures and tables paint first, echarts (the
// largest part of the console's JS) follows. Same props as Chart; the placeholder keeps the
// chart's height so nothing jumps.
import { lazy, Suspense, type ComponentProps } from 'react';

const Chart = lazy(() => import('./Chart'));

export default function LazyChart(props: ComponentProps<typeof Chart>) {
  return (
    <Suspense
      fallback={
        <div className="chart-placeholder" style={{ height: props.height ?? 280 }} aria-hidden="true" />
      }
    >
      <Chart {...props} />
    </Suspense>
  );
}

/**
 * Papan transparansi (no sign-in): per village and month, the counts by kind, meeting decision, removal reason and
 * Pusdatin's outcome, as bar charts and one table, the meeting dates, and the latest signed checkpoint of the
 * audit log. The API serves only counts and dates here: nothing identifies a person.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, api, query } from '../../api/client';
import { BarChart, ErrorMessage, Field, Loading, Notice } from '../../components/ui';
import { currentPeriod, formatDate, formatDateTime, formatNumber, formatPeriod, hasMessage, t } from '../../i18n';
import type { MessageKey } from '../../i18n';

interface Board {
  villageCode: string;
  period: string;
  byKind: Record<string, number>;
  byVillageDecision: Record<string, number>;
  byRemovalReason: Record<string, number>;
  byOutcome: Record<string, number>;
  meetings: { meetingId: string; kind: string; scheduledAt: string; status: string }[];
}

interface Checkpoint {
  size: number;
  rootHash: string;
  signedAt: string;
}

const DIMENSIONS = [
  { field: 'byKind', title: 'board.byKind', prefix: 'kind' },
  { field: 'byVillageDecision', title: 'board.byVillageDecision', prefix: 'decision' },
  { field: 'byRemovalReason', title: 'board.byRemovalReason', prefix: 'reason' },
  { field: 'byOutcome', title: 'board.byOutcome', prefix: 'outcome' },
] as const satisfies readonly { field: keyof Board; title: MessageKey; prefix: string }[];

/** A code as its Indonesian label, e.g. `kind.ADD` -> "Penambahan"; unknown codes are shown as they are. */
export function label(prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key) : code;
}

const VILLAGE = /^\d{10}$/;

export function PublicBoardPage() {
  const params = useParams();
  const navigate = useNavigate();
  const village = params.village ?? '';
  const period = params.period ?? currentPeriod();
  const key = `${village}/${period}`;
  // What was loaded for which village and month: anything for another key is stale, so "loading" needs no state.
  const [loaded, setLoaded] = useState<{ key: string; board?: Board; error?: unknown }>();
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null>();
  const wanted = VILLAGE.test(village);

  useEffect(() => {
    if (!wanted) return;
    const abort = new AbortController();
    api
      .get<Board>(`/public/villages/${village}/board${query({ period })}`, { anonymous: true, signal: abort.signal })
      .then((board) => setLoaded({ key, board }))
      .catch((error: unknown) => !abort.signal.aborted && setLoaded({ key, error }));
    api
      .get<Checkpoint>('/audit/v1/checkpoint', { anonymous: true, signal: abort.signal })
      .then(setCheckpoint)
      .catch((caught: unknown) => {
        if (caught instanceof ApiError && caught.code === 'NO_CHECKPOINT') setCheckpoint(null);
      });
    return () => abort.abort();
  }, [key, village, period, wanted]);

  const current = loaded?.key === key ? loaded : undefined;
  const loading = wanted && !current;
  const board = current?.board;
  const error = current?.error;

  return (
    <section>
      <h1>{t('board.title')}</h1>
      <p>{t('board.intro')}</p>
      <BoardForm key={key} village={village} period={period} onShow={(v, p) => void navigate(`/papan/${v}/${p}`)} />
      <ErrorMessage error={error} />
      {loading && <Loading />}
      {board && (
        <>
          <h2>{t('board.heading', { village: board.villageCode, period: formatPeriod(board.period) })}</h2>
          <div className="chart-grid">
            {DIMENSIONS.map((dimension) => (
              <BarChart
                key={dimension.field}
                title={t(dimension.title)}
                data={Object.entries(board[dimension.field]).map(([code, value]) => ({
                  label: label(dimension.prefix, code),
                  value,
                }))}
              />
            ))}
          </div>
          <h3>{t('board.table')}</h3>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('board.table.dimension')}</th>
                  <th scope="col">{t('board.table.key')}</th>
                  <th scope="col" className="number">
                    {t('board.table.count')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {DIMENSIONS.flatMap((dimension) =>
                  Object.entries(board[dimension.field]).map(([code, value]) => (
                    <tr key={`${dimension.field}-${code}`}>
                      <td>{t(dimension.title)}</td>
                      <td>{label(dimension.prefix, code)}</td>
                      <td className="number">{formatNumber(value)}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
          <h3>{t('board.meetings')}</h3>
          {board.meetings.length === 0 ? (
            <p>{t('board.meetings.none')}</p>
          ) : (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('board.meeting.date')}</th>
                    <th scope="col">{t('board.meeting.kind')}</th>
                    <th scope="col">{t('board.meeting.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {board.meetings.map((meeting) => (
                    <tr key={meeting.meetingId}>
                      <td>{formatDate(meeting.scheduledAt)}</td>
                      <td>{label('meetingKind', meeting.kind)}</td>
                      <td>{label('meetingStatus', meeting.status)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>{t('board.checkpoint')}</h3>
          {checkpoint ? (
            <Notice>
              <p>
                {t('board.checkpoint.text', {
                  size: formatNumber(checkpoint.size),
                  signedAt: formatDateTime(checkpoint.signedAt),
                })}
              </p>
              <p className="hash">
                {t('board.checkpoint.root')}: <code>{checkpoint.rootHash}</code>
              </p>
            </Notice>
          ) : (
            checkpoint === null && <p>{t('board.checkpoint.none')}</p>
          )}
        </>
      )}
    </section>
  );
}

/** Village and month; remounted (fresh inputs) whenever the route's village or month changes. */
function BoardForm(props: { village: string; period: string; onShow: (village: string, period: string) => void }) {
  const [villageInput, setVillageInput] = useState(props.village);
  const [periodInput, setPeriodInput] = useState(props.period);
  const [inputError, setInputError] = useState<string>();

  function show(event: FormEvent) {
    event.preventDefault();
    const code = villageInput.trim();
    if (!VILLAGE.test(code)) {
      setInputError(t('board.invalidVillage'));
      return;
    }
    setInputError(undefined);
    props.onShow(code, periodInput || currentPeriod());
  }

  return (
    <form className="inline-form" onSubmit={show} noValidate>
      <Field
        label={t('common.village')}
        hint={t('board.villageHint')}
        name="village"
        inputMode="numeric"
        value={villageInput}
        errors={inputError ? [inputError] : []}
        onChange={(e) => setVillageInput(e.target.value)}
      />
      <Field
        label={t('common.period')}
        name="period"
        type="month"
        value={periodInput}
        onChange={(e) => setPeriodInput(e.target.value)}
      />
      <button type="submit" className="button button--primary">
        {t('board.show')}
      </button>
    </form>
  );
}
